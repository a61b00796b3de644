// awslabs/aws-sigv4-proxy as a peer: the flags ../shared/peers/README.md says were checked (static keys from
// the environment, --name and --region both set so it does not scan its endpoint table per request), with
// the service of the workload: dynamodb for the JSON calls, s3 for the PUTs. It re-signs every request
// with the real key; it holds whole bodies in memory and forwards aws-chunked chunk signatures unchanged.
import { join } from 'node:path';
import { freePort, waitForHttp } from '../../lib/http.ts';
import { spawnPinned, type Proc } from '../../lib/procs.ts';
import { REGION, type AwsKeys } from '../../sigv4/sign.ts';

export interface AwsSigv4ProxySetup {
  readonly peersDir: string;
  readonly upstreamPort: number;
  readonly service: 'dynamodb' | 's3';
  readonly keys: AwsKeys;
  readonly core: number;
}

export function awsSigv4ProxyArgs(port: number, s: Pick<AwsSigv4ProxySetup, 'upstreamPort' | 'service'>): string[] {
  return [
    '--port', `127.0.0.1:${port}`, '--host', `127.0.0.1:${s.upstreamPort}`, '--upstream-url-scheme', 'http',
    '--name', s.service, '--region', REGION, '--sign-host', `${s.service}.${REGION}.amazonaws.com`,
  ];
}

export async function startAwsSigv4Proxy(s: AwsSigv4ProxySetup): Promise<{ proc: Proc; port: number }> {
  const port = await freePort();
  // Only what it needs: no AWS_PROFILE or role settings of the bench's own environment leak in.
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', AWS_ACCESS_KEY_ID: s.keys.accessKeyId, AWS_SECRET_ACCESS_KEY: s.keys.secretAccessKey, AWS_EC2_METADATA_DISABLED: 'true' };
  const proc = spawnPinned(`aws-sigv4-proxy-${s.service}`, join(s.peersDir, 'aws-sigv4-proxy'), awsSigv4ProxyArgs(port, s), { core: s.core, env });
  try {
    // It prints "Listening on" before it listens: any HTTP answer (forwarded to the upstream) means it is up.
    await proc.waitForLine((l) => l.includes('Listening on'), 10_000);
    await waitForHttp(`http://127.0.0.1:${port}/`, 10_000, proc, (r) => r.status > 0);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { proc, port };
}
