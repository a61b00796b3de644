// MinIO as the S3 peer: it verifies SigV4 fully (header and query signatures, aws-chunked chunk
// signatures, trailing checksums), so a request the sidecar re-signed wrongly fails here as it would
// at AWS. One fresh single-drive server per call, data in its own temp folder.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { get } from '../cluster/health.js';
import { startPeer } from './aws-peers-process.js';
import { peerTools } from './aws-peers-tools.js';

export interface MinioOptions {
  /**
   * The region clients should sign for (default us-east-1). MinIO does not check it: a signature for
   * another region's scope is accepted (MINIO_SITE_REGION did not change that), so a wrong region
   * must be caught by asserting on the request itself.
   */
  readonly region?: string;
  readonly startTimeoutMs?: number;
  /** The address to listen on (default 127.0.0.1); the e2e node's pods reach the host at their bridge's. */
  readonly host?: string;
}

export interface Minio {
  /** http://<host>:<port>; use path-style addressing (`forcePathStyle: true`). */
  readonly endpoint: string;
  /** The root user: may do anything. */
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  /** Options for an AWS SDK v3 S3Client talking to this server as root. */
  readonly clientConfig: {
    readonly endpoint: string;
    readonly region: string;
    readonly forcePathStyle: true;
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  };
  /** The server log's last lines (for a failing test's message). */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

/**
 * Starts MinIO on 127.0.0.1 with a port the OS picks (`--address 127.0.0.1:0`: MinIO asks the kernel
 * for a free port, then binds it, printing `API: http://127.0.0.1:<port>`); the rare loss of that
 * port to another process between the two steps makes MinIO exit, and the start is retried.
 */
export async function startMinio(opts: MinioOptions = {}): Promise<Minio> {
  const { minio } = peerTools();
  const region = opts.region ?? 'us-east-1';
  const host = opts.host ?? '127.0.0.1';
  const accessKeyId = 'portcullis-e2e-root';
  const secretAccessKey = randomBytes(20).toString('base64url');
  const peer = await startPeer({
    name: 'minio',
    bin: minio,
    args: (dir) => ['server', '--address', `${host}:0`, '--certs-dir', join(dir, 'certs'), join(dir, 'data')],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      MINIO_ROOT_USER: accessKeyId,
      MINIO_ROOT_PASSWORD: secretAccessKey,
      // No web console (it would take a second port), no update checks, no call-home.
      MINIO_BROWSER: 'off',
      MINIO_UPDATE: 'off',
      MINIO_CALLHOME_ENABLE: 'off',
    },
    listening: new RegExp(`^API: (http://${host.replaceAll('.', '\\.')}:\\d+)`, 'm'),
    ready: async (url) => (await get(`${url}/minio/health/ready`)).status === 200,
    // What MinIO prints when the port it picked was taken before it bound it.
    retryWhen: /Specified port is already in use|address already in use/i,
    timeoutMs: opts.startTimeoutMs ?? 30_000,
  });
  return {
    endpoint: peer.url,
    accessKeyId,
    secretAccessKey,
    region,
    clientConfig: { endpoint: peer.url, region, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } },
    logTail: (lines) => peer.logTail(lines),
    stop: () => peer.stop(),
  };
}
