import type { CredentialSource, HttpInjection, HttpSource, SecretKeyRef } from '../crd/index.js';
import { awsEndpointVars } from './aws/services.js';
import { AWS_ENV_DEFAULTS, HTTP_PRESETS, PORTCULLIS_URL_TOKEN, type EnvDefault, type HttpErrorShape, type HttpPresetDefaults } from './presets.js';
import { resolveAzureWorkloadIdentity, type ResolvedAzureWorkloadIdentity } from './azure/resolve.js';
import { resolveGcpWorkloadIdentity, type ResolvedGcpWorkloadIdentity } from './gcp/resolve.js';
import { resolveGithubApp, type ResolvedGithubApp } from './github/resolve.js';
import { resolveHttpOAuth2, type ResolvedOAuth2Origin } from './oauth2/resolve.js';
import { resolveHttpVault, type ResolvedVaultHttpOrigin } from './vault/resolve.js';

/** Where an http source's credential comes from: a key of a Secret (mounted as a file), a Vault KV field, or a token minted for the pod (Azure, GCP, GitHub App, OAuth2). */
export type ResolvedHttpOrigin =
  | { readonly kind: 'secretRef'; readonly secretRef: SecretKeyRef }
  | ResolvedVaultHttpOrigin
  | ResolvedAzureWorkloadIdentity
  | ResolvedGcpWorkloadIdentity
  | ResolvedGithubApp
  | ResolvedOAuth2Origin;

/** The origin fields of spec.http, of which exactly one is set. */
const HTTP_ORIGINS = ['secretRef', 'vault', 'azureWorkloadIdentity', 'gcpWorkloadIdentity', 'githubApp', 'oauth2'] as const;

/** An http CredentialSource with its preset applied: everything the sidecar needs to forward a call. */
export interface ResolvedHttpSource {
  readonly type: 'http';
  readonly name: string;
  readonly port: number;
  readonly upstream: URL;
  readonly injection: HttpInjection;
  readonly origin: ResolvedHttpOrigin;
  readonly caBundle: string | undefined;
  /** How Portcullis's own refusals are shaped for the app's SDK (the preset's; `google` for a token Google mints; `json` otherwise). */
  readonly errorShape: HttpErrorShape;
}

const BEARER: HttpInjection = { type: 'Bearer' };

export type SourceProblem = { readonly source: string; readonly message: string };

/** The upstream URL, or what is wrong with it. */
function checkUpstream(text: string, allowPlaintext: boolean): URL | string {
  let upstream: URL;
  try {
    upstream = new URL(text);
  } catch {
    return `spec.http.upstream ${JSON.stringify(text)} is not a URL`;
  }
  if (upstream.protocol !== 'https:' && !(upstream.protocol === 'http:' && allowPlaintext)) {
    return `spec.http.upstream must use https:// (got ${upstream.protocol}//)`;
  }
  if (upstream.username || upstream.password || upstream.search || upstream.hash) {
    return 'spec.http.upstream must not contain user info, a query or a fragment';
  }
  return upstream;
}

/**
 * Applies the preset and checks what the CRD schema cannot (the API server already enforced the rest,
 * but standalone files and old objects did not pass it). Returns a problem instead of throwing so one bad
 * source does not take the others down.
 */
export function resolveHttpSource(cs: CredentialSource): ResolvedHttpSource | SourceProblem {
  const name = cs.metadata.name ?? '';
  const http = cs.spec.http;
  if (cs.spec.type !== 'http' || !http) return { source: name, message: 'spec.type is not http or spec.http is missing' };
  const preset = http.preset ? HTTP_PRESETS[http.preset] : undefined;
  const upstreamText = http.upstream ?? preset?.upstream;
  const injection = injectionOf(http, preset);
  if (!upstreamText) return { source: name, message: http.preset ? `spec.http.upstream is required with preset ${http.preset} (every account has its own host)` : 'spec.http.upstream is required without a preset' };
  if (!injection) return { source: name, message: 'spec.http.injection is required without a preset' };
  const upstream = checkUpstream(upstreamText, http.allowPlaintextUpstream === true);
  if (typeof upstream === 'string') return { source: name, message: upstream };
  const origin = resolveHttpOrigin(http, preset);
  if (typeof origin === 'string') return { source: name, message: origin };
  return {
    type: 'http',
    name,
    port: cs.spec.port,
    upstream,
    injection,
    origin,
    caBundle: http.caBundle,
    errorShape: preset?.errorShape ?? (origin.kind === 'gcpWorkloadIdentity' ? 'google' : 'json'),
  };
}

/** How the key is sent: as the source says, else the preset's way; an OAuth2 access token is a bearer token (RFC 6750). */
function injectionOf(http: HttpSource, preset: HttpPresetDefaults | undefined): HttpInjection | undefined {
  return http.injection ?? preset?.injection ?? (http.oauth2 ? BEARER : undefined);
}

/** The one origin spec.http sets, resolved; a string is what is wrong with it. */
function resolveHttpOrigin(http: HttpSource, preset: HttpPresetDefaults | undefined): ResolvedHttpOrigin | string {
  const origins = HTTP_ORIGINS.filter((o) => http[o] !== undefined);
  if (origins.length !== 1) return `spec.http needs exactly one origin of ${HTTP_ORIGINS.join(', ')}${origins.length > 1 ? ` (it sets ${origins.join(' and ')})` : ''}`;
  if (http.azureWorkloadIdentity) return resolveAzureWorkloadIdentity(http.azureWorkloadIdentity, preset?.azureScope);
  if (http.gcpWorkloadIdentity) return resolveGcpWorkloadIdentity(http.gcpWorkloadIdentity);
  if (http.githubApp) return resolveGithubApp(http.githubApp);
  if (http.oauth2) return resolveHttpOAuth2(http.oauth2);
  if (http.vault) return resolveHttpVault(http.vault);
  return { kind: 'secretRef', secretRef: http.secretRef as SecretKeyRef };
}

export function isSourceProblem<T extends object>(value: T | SourceProblem): value is SourceProblem {
  return 'message' in value && 'source' in value && !('type' in value);
}

/** AWS_ENV_DEFAULTS, with the endpoint on the per-service variables when spec.aws.services is set. */
function awsEnvDefaults(cs: CredentialSource): readonly EnvDefault[] {
  const services = cs.spec.aws?.services;
  if (services === undefined || services.length === 0) return AWS_ENV_DEFAULTS;
  const endpoints = awsEndpointVars(services).map((name) => ({ name, value: PORTCULLIS_URL_TOKEN }));
  return [...endpoints, ...AWS_ENV_DEFAULTS.filter((e) => e.name !== 'AWS_ENDPOINT_URL')];
}

/** The env vars an app container gets for a source: defaults of type/preset overridden by spec.env. */
export function sourceEnv(cs: CredentialSource): EnvDefault[] {
  const localUrl = `http://127.0.0.1:${cs.spec.port}`;
  const defaults = cs.spec.type === 'aws' ? awsEnvDefaults(cs) : cs.spec.http?.preset ? HTTP_PRESETS[cs.spec.http.preset].env : [];
  const byName = new Map<string, string>();
  for (const e of defaults) byName.set(e.name, e.value);
  for (const e of cs.spec.env ?? []) byName.set(e.name, e.value ?? '');
  return [...byName].map(([name, value]) => ({ name, value: value.split(PORTCULLIS_URL_TOKEN).join(localUrl) }));
}
