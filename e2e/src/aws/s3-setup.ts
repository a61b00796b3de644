// MinIO behind the sidecar: one aws source with MinIO's root keys as static keys (the app never sees
// them), buckets `data` (read/write; deletes only under tmp/) and `private` (nothing allowed).
import { Agent } from 'node:http';
import { CreateBucketCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { PLACEHOLDER_CREDENTIAL } from '@portcullis/shared';
import { startMinio, type Minio } from '../support/aws-peers.js';
import { credentialSource, egressPolicy, startAwsSidecar, type AwsSidecar } from './sidecar.js';

export const PLACEHOLDER = { accessKeyId: PLACEHOLDER_CREDENTIAL, secretAccessKey: PLACEHOLDER_CREDENTIAL };

export interface S3World {
  readonly minio: Minio;
  readonly sidecar: AwsSidecar;
  /** The sidecar's URL for the s3 source. */
  readonly url: string;
  /** MinIO as root, to check what really happened. */
  readonly root: S3Client;
  /** The app's client: placeholder keys, the sidecar as endpoint. */
  app(config?: Partial<S3ClientConfig>): S3Client;
  stop(): Promise<void>;
}

/** Resolves every *.localhost name to 127.0.0.1 (virtual-hosted addressing against the sidecar). */
export const localhostAgent = new Agent({
  keepAlive: true,
  lookup: (_host: string, options: object, cb: (err: Error | null, address: string | { address: string; family: number }[], family?: number) => void) => {
    if ((options as { all?: boolean }).all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
    else cb(null, '127.0.0.1', 4);
  },
});

export function virtualHostedHandler(): NodeHttpHandler {
  return new NodeHttpHandler({ httpAgent: localhostAgent });
}

export async function startS3World(): Promise<S3World> {
  const minio = await startMinio();
  const root = new S3Client(minio.clientConfig);
  for (const Bucket of ['data', 'private']) await root.send(new CreateBucketCommand({ Bucket }));
  const sidecar = await startAwsSidecar({
    resources: (port) => [
      credentialSource('s3', port, { endpoint: minio.endpoint, allowPlaintextEndpoint: true, staticKeys: { secretRef: { name: 'minio-root' } } }),
      egressPolicy('s3-app', [
        { name: 'read-write', effect: 'Allow', source: 's3', actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts', 's3:ListBucket', 's3:GetBucketLocation'], resources: ['arn:aws:s3:::data', 'arn:aws:s3:::data/*'] },
        { name: 'tmp-deletes', effect: 'Allow', source: 's3', actions: ['s3:DeleteObject'], resources: ['arn:aws:s3:::data/tmp/*'] },
        { name: 'no-secrets', effect: 'Deny', source: 's3', actions: ['s3:*'], resources: ['arn:aws:s3:::data/secret/*'] },
      ]),
    ],
    secrets: { s3: { AWS_ACCESS_KEY_ID: minio.accessKeyId, AWS_SECRET_ACCESS_KEY: minio.secretAccessKey } },
  });
  const url = sidecar.url('s3');
  const clients: S3Client[] = [root];
  return {
    minio,
    sidecar,
    url,
    root,
    app(config = {}) {
      const client = new S3Client({ endpoint: url, region: minio.region, forcePathStyle: true, credentials: PLACEHOLDER, maxAttempts: 1, ...config });
      clients.push(client);
      return client;
    },
    async stop() {
      for (const c of clients) c.destroy();
      await sidecar.stop();
      await minio.stop();
    },
  };
}
