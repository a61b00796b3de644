import { join } from 'node:path';
import { PortcullisError } from '@portcullis/shared';
import type { Logger } from 'pino';
import type { AwsCredentialProvider } from '../credentials/aws-credentials.js';
import { roleSessionName, type SessionWorkload } from '../credentials/aws-session-name.js';
import { StaticKeyCredentials } from '../credentials/aws-static-keys.js';
import { WebIdentityCredentials, type AssumeRole } from '../credentials/aws-web-identity.js';
import { stsAssumeRole } from '../credentials/sts-assume-role.js';
import { SecretFile } from '../credentials/secret-file.js';
import { stsTarget } from '../credentials/sts-endpoint.js';
import type { SidecarMetrics } from '../metrics.js';
import { AwsSource } from '../sources/aws-source.js';
import type { ResolvedAwsSource, StaticKeyCredentials as StaticKeySpec, WebIdentityCredentials as WebIdentitySpec } from '../sources/aws/resolve.js';

export interface AwsRuntimeDeps {
  readonly secretsDir: string;
  readonly credentialPollIntervalMs: number;
  /** The projected token of audience sts.amazonaws.com (default /var/run/secrets/portcullis.dev/sts/token). */
  readonly stsTokenFile: string;
  /** The pod the sidecar serves, for the STS role session name; undefined until first verified. */
  readonly workload: SessionWorkload | undefined;
  readonly metrics: SidecarMetrics;
  readonly log: Logger;
  readonly now: () => Date;
  /** Tests: replaces the STS call. */
  readonly assumeRole?: AssumeRole;
}

/** STS temporary credentials are refreshed this long before they expire (as the AWS SDKs do). */
const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;
/** STS must accept the connection within 3 s and answer each of the SDK's (up to 3) attempts within 10 s. */
const STS_TIMEOUTS = { connectTimeoutMs: 3_000, requestTimeoutMs: 10_000 } as const;

/** The configuration key of an aws source: equal keys keep the runtime (and its cached credentials). */
export function awsSourceKey(resolved: ResolvedAwsSource, deps: AwsRuntimeDeps): string {
  const sessionName = resolved.credentials.kind === 'webIdentity' && deps.workload ? roleSessionName(deps.workload) : undefined;
  return JSON.stringify({ ...resolved, endpoint: resolved.endpoint?.href, stsTokenFile: deps.stsTokenFile, secretsDir: deps.secretsDir, sessionName });
}

async function staticKeys(resolved: ResolvedAwsSource, spec: StaticKeySpec, deps: AwsRuntimeDeps): Promise<AwsCredentialProvider> {
  const open = (key: string): Promise<SecretFile> => {
    const path = join(deps.secretsDir, resolved.name, key);
    return SecretFile.open({
      source: resolved.name,
      path,
      secretRefField: 'spec.aws.staticKeys.secretRef',
      pollIntervalMs: deps.credentialPollIntervalMs,
      onReload: (result, error) => {
        if (result === 'unchanged') return;
        deps.metrics.credentialReloads.inc({ source: resolved.name, result });
        if (error) deps.log.warn({ source: resolved.name, path, code: (error as NodeJS.ErrnoException).code, reason: error.message }, 'AWS key file unavailable');
        else deps.log.info({ source: resolved.name, key }, 'AWS key loaded');
      },
    });
  };
  const [id, secret, token] = await Promise.all([
    open(spec.accessKeyIdKey),
    open(spec.secretAccessKeyKey),
    spec.sessionTokenKey === undefined ? undefined : open(spec.sessionTokenKey),
  ]);
  return new StaticKeyCredentials(id, secret, token);
}

function webIdentity(resolved: ResolvedAwsSource, spec: WebIdentitySpec, deps: AwsRuntimeDeps): WebIdentityCredentials {
  const sts = deps.assumeRole
    ? { assume: deps.assumeRole, destroy: () => undefined }
    : stsAssumeRole(stsTarget({ partition: spec.partition, stsRegion: spec.stsRegion, endpoint: resolved.endpoint, useFips: resolved.useFips, useDualstack: resolved.useDualstack }), STS_TIMEOUTS);
  const sessionName = deps.workload ? roleSessionName(deps.workload) : undefined;
  let failing = false;
  const provider = new WebIdentityCredentials({
    source: resolved.name,
    roleArn: spec.roleArn,
    sessionName,
    durationSeconds: spec.sessionDurationSeconds,
    tokenFile: deps.stsTokenFile,
    assume: sts.assume,
    release: sts.destroy,
    refreshBeforeExpiryMs: REFRESH_BEFORE_EXPIRY_MS,
    now: () => deps.now().getTime(),
    onRefresh: (result, detail) => {
      deps.metrics.credentialReloads.inc({ source: resolved.name, result });
      if (result === 'loaded') {
        deps.log.info({ source: resolved.name, roleArn: spec.roleArn, sessionName, expiresAt: detail.expiresAt }, failing ? 'STS credentials obtained again' : 'STS credentials obtained');
        failing = false;
        return;
      }
      // Once per outage (every attempt is counted above); the next success says it is over.
      const fields = { code: 'CREDENTIAL_UNAVAILABLE', source: resolved.name, problem: detail.error };
      if (failing) deps.log.debug(fields, 'STS credentials still unavailable');
      else deps.log.warn(fields, 'STS credentials unavailable; retrying with backoff');
      failing = true;
    },
  });
  provider.prefetch();
  return provider;
}

/** Builds the runtime of an aws source with its credential provider. */
export async function createAwsRuntime(resolved: ResolvedAwsSource, key: string, deps: AwsRuntimeDeps): Promise<AwsSource> {
  const spec = resolved.credentials;
  if (spec.kind === 'vault') throw new PortcullisError('SOURCE_NOT_CONFIGURED', `source ${resolved.name}: a vault origin is not served by this sidecar version yet`);
  const credentials = spec.kind === 'webIdentity' ? webIdentity(resolved, spec, deps) : await staticKeys(resolved, spec, deps);
  return new AwsSource(resolved, credentials, key, deps.now);
}
