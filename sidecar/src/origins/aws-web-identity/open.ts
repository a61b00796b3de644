import type { ResolvedAwsSource, ResolvedWebIdentity } from '@portcullis/shared';
import type { OriginDeps } from '../origin.js';
import { sessionNameOf } from './key.js';
import { stsAssumeRole } from './sts-assume-role.js';
import { stsTarget } from './sts-endpoint.js';
import { WebIdentityCredentials } from './web-identity-credentials.js';

/** STS temporary credentials are refreshed this long before they expire (as the AWS SDKs do). */
const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;
/** STS must accept the connection within 3 s and answer each of the SDK's (up to 3) attempts within 10 s. */
const STS_TIMEOUTS = { connectTimeoutMs: 3_000, requestTimeoutMs: 10_000 } as const;

/**
 * The web-identity origin of an aws source: AssumeRoleWithWebIdentity with the pod's projected token
 * and a session name derived from the workload, fetched ahead of the first request.
 */
export function openWebIdentity(resolved: ResolvedAwsSource, spec: ResolvedWebIdentity, deps: OriginDeps): WebIdentityCredentials {
  const sts = deps.assumeRole
    ? { assume: deps.assumeRole, destroy: () => undefined }
    : stsAssumeRole(stsTarget({ partition: spec.partition, stsRegion: spec.stsRegion, endpoint: resolved.endpoint, useFips: resolved.useFips, useDualstack: resolved.useDualstack }), STS_TIMEOUTS);
  const sessionName = sessionNameOf(deps);
  let failing = false;
  const origin = new WebIdentityCredentials({
    source: resolved.name,
    roleArn: spec.roleArn,
    sessionName,
    durationSeconds: spec.sessionDurationSeconds,
    tokenFile: deps.stsTokenFile,
    assume: sts.assume,
    release: sts.destroy,
    refreshBeforeExpiryMs: REFRESH_BEFORE_EXPIRY_MS,
    now: () => deps.clock.now().getTime(),
    readText: deps.files.readText,
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
  origin.prefetch();
  return origin;
}
