import type { CredentialSource } from '../crd/index.js';
import { resolveAwsSource, type ResolvedAwsSource } from './aws/resolve.js';
import { resolveProxyHosts } from './proxy-hosts.js';
import { isSourceProblem, resolveHttpSource, type ResolvedHttpSource, type SourceProblem } from './resolve.js';

/** What every source type has besides its own block. */
export interface ResolvedSourceCommon {
  /** spec.proxyHosts normalized: extra hosts the source serves in HTTPS_PROXY mode (host globs). */
  readonly proxyHosts: readonly string[];
}

/** A CredentialSource with defaults applied and every rule the CRD schema cannot express checked. */
export type ResolvedSource = (ResolvedHttpSource | ResolvedAwsSource) & ResolvedSourceCommon;

export type SourceResolution =
  | { readonly ok: true; readonly source: ResolvedSource }
  | { readonly ok: false; readonly problems: readonly SourceProblem[] };

/**
 * The one resolution of a CredentialSource spec, used by the sidecar to serve it, by the webhook's status
 * controller for Ready and by its volume planning: a source is Ready exactly when the sidecar serves it.
 * Never throws: a bad source is reported, the others stay served.
 */
export function resolveSource(cs: CredentialSource): SourceResolution {
  const type: string = cs.spec.type;
  if (type !== 'http' && type !== 'aws') {
    return { ok: false, problems: [{ source: cs.metadata.name ?? '', message: `type ${type} is not served by this sidecar version` }] };
  }
  const resolved = type === 'aws' ? resolveAwsSource(cs) : resolveHttpSource(cs);
  if (isSourceProblem(resolved)) return { ok: false, problems: [resolved] };
  const proxyHosts = resolveProxyHosts(cs);
  if (isSourceProblem(proxyHosts)) return { ok: false, problems: [proxyHosts] };
  return { ok: true, source: { ...resolved, proxyHosts } };
}

/** The Secret and keys a resolved source reads its credential from; undefined when it uses none. */
export function secretKeysOf(source: ResolvedSource): { readonly secretName: string; readonly keys: readonly string[] } | undefined {
  if (source.type === 'http') {
    const o = source.origin;
    if (o.kind === 'secretRef') return { secretName: o.secretRef.name, keys: [o.secretRef.key] };
    if (o.kind === 'oauth2' && o.clientAuth.method !== 'none') return { secretName: o.clientAuth.secretName, keys: [o.clientAuth.secretKey] };
    // The GitHub App's private key is mounted like an API key: into the sidecar only.
    return o.kind === 'githubApp' ? { secretName: o.privateKey.secretName, keys: [o.privateKey.key] } : undefined;
  }
  const c = source.credentials;
  if (c.kind !== 'staticKeys') return undefined;
  const keys = [c.accessKeyIdKey, c.secretAccessKeyKey, ...(c.sessionTokenKey !== undefined ? [c.sessionTokenKey] : [])];
  return { secretName: c.secretName, keys: [...new Set(keys)] };
}

/** The audience of the projected token a resolved source presents to STS; undefined when it needs none. */
export function stsAudienceOf(source: ResolvedSource): string | undefined {
  return source.type === 'aws' && source.credentials.kind === 'webIdentity' ? source.credentials.tokenAudience : undefined;
}

/** The audience of the projected token a resolved source presents to Vault's Kubernetes auth; undefined when it uses no Vault. */
export function vaultAudienceOf(source: ResolvedSource): string | undefined {
  const origin = source.type === 'http' ? source.origin : source.credentials;
  return origin.kind === 'vault' ? origin.auth.tokenAudience : undefined;
}

/**
 * The projected service-account token a resolved origin presents to a token endpoint of its own (Entra,
 * Google STS, an OAuth2 server), as the resolved origin states it: an origin kind that needs one carries
 * `originToken: {audience}`. The webhook mounts one such token per source at
 * `MOUNT_PATHS.originTokens/<source>`, into the sidecar only; undefined when the source needs none.
 */
export interface OriginTokenRequest {
  readonly audience: string;
}

export function originTokenOf(source: ResolvedSource): OriginTokenRequest | undefined {
  const origin: object = source.type === 'http' ? source.origin : source.credentials;
  if (!('originToken' in origin)) return undefined;
  const token = origin.originToken as OriginTokenRequest | undefined;
  return token?.audience ? token : undefined;
}
