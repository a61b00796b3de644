import type { STSClient } from '@aws-sdk/client-sts';
import { PortcullisError } from '@portcullis/shared';
import type { AssumeRole } from './web-identity-credentials.js';
import type { StsTarget } from './sts-endpoint.js';

export interface StsTimeouts {
  /** The TCP (and TLS) connection to STS must be made within this. */
  readonly connectTimeoutMs: number;
  /** One attempt (request sent, answer read) must finish within this; the SDK makes up to 3 attempts. */
  readonly requestTimeoutMs: number;
}

/**
 * AssumeRoleWithWebIdentity through @aws-sdk/client-sts against an explicit endpoint. The SDK is loaded
 * on the first call (about 25 MiB of resident memory), so sidecars without web-identity sources never
 * pay for it. The call is unsigned: the token is the credential.
 */
export function stsAssumeRole(target: StsTarget, timeouts: StsTimeouts): { assume: AssumeRole; destroy: () => void } {
  let client: STSClient | undefined;
  let destroyed = false;
  const assume: AssumeRole = async (input) => {
    const sts = await import('@aws-sdk/client-sts');
    if (destroyed) throw new PortcullisError('CREDENTIAL_UNAVAILABLE', 'the source was removed while its STS call was starting');
    client ??= new sts.STSClient({
      region: target.region,
      endpoint: target.endpoint,
      maxAttempts: 3,
      // Without throwOnRequestTimeout the SDK only prints a warning (not JSON) and keeps waiting.
      requestHandler: { connectionTimeout: timeouts.connectTimeoutMs, requestTimeout: timeouts.requestTimeoutMs, throwOnRequestTimeout: true },
    });
    const out = await client.send(
      new sts.AssumeRoleWithWebIdentityCommand({
        RoleArn: input.roleArn,
        RoleSessionName: input.sessionName,
        WebIdentityToken: input.token,
        DurationSeconds: input.durationSeconds,
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new PortcullisError('CREDENTIAL_UNAVAILABLE', 'STS answered AssumeRoleWithWebIdentity without complete credentials');
    }
    return {
      value: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken },
      expiresAtMs: c.Expiration.getTime(),
    };
  };
  return {
    assume,
    destroy: () => {
      destroyed = true;
      client?.destroy();
    },
  };
}
