// boto3 and the aws CLI as unchanged apps in proxy mode (issue 18): no AWS_ENDPOINT_URL, only HTTPS_PROXY
// and AWS_CA_BUNDLE, so they call the real S3 names (s3.eu-west-1.amazonaws.com and the virtual-hosted
// data.s3.eu-west-1.amazonaws.com). The sidecar terminates TLS with the pod CA and sends each call to
// MinIO through the s3 source's endpoint override: no /etc/hosts edit, no DNS lookup of amazonaws.com.
// MinIO checks the signature the sidecar makes; a second aws source that sorts first by name also serves
// *.amazonaws.com, so only spec.proxyHosts makes the s3 source the one that serves those names.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { AuditRecord } from '@portcullis/sidecar';
import { awsEnv, runVenv, startMinio, type Minio } from '../support/aws-peers.js';
import { credentialSource, egressPolicy, IDENTITY, startAwsSidecar, type AwsSidecar } from './sidecar.js';
import { PLACEHOLDER } from './s3-setup.js';

const REGION = 'eu-west-1';

function withProxyHosts<T extends { spec: Record<string, unknown> }>(resource: T, proxyHosts: string[]): T {
  return { ...resource, spec: { ...resource.spec, proxyHosts } };
}

const BOTO3 = String.raw`
import io, json, os
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

def denied(call):
    try:
        call()
        return None
    except ClientError as e:
        return {"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}

out = {}
s3 = boto3.client("s3")
out["endpoint"] = s3.meta.endpoint_url
s3.put_object(Bucket="data", Key="proxy/vhost.txt", Body=b"virtual-hosted through HTTPS_PROXY")
out["vhost"] = s3.get_object(Bucket="data", Key="proxy/vhost.txt")["Body"].read().decode()
path = boto3.client("s3", config=Config(s3={"addressing_style": "path"}))
path.put_object(Bucket="data", Key="proxy/path style.txt", Body=b"path-style through HTTPS_PROXY")
out["path"] = path.get_object(Bucket="data", Key="proxy/path style.txt")["Body"].read().decode()
data = os.urandom(9 * 1024 * 1024)
s3.upload_fileobj(io.BytesIO(data), "data", "proxy/multipart.bin")
out["multipart"] = s3.head_object(Bucket="data", Key="proxy/multipart.bin")["ContentLength"]
out["deniedGet"] = denied(lambda: s3.get_object(Bucket="private", Key="x"))
out["deniedDelete"] = denied(lambda: path.delete_object(Bucket="data", Key="proxy/path style.txt"))
print(json.dumps(out))
`;

describe('S3 in proxy mode: boto3 and the aws CLI with their real endpoints, MinIO behind the s3 source', () => {
  let minio: Minio;
  let root: S3Client;
  let sidecar: AwsSidecar;
  let env: Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-s3-proxy-'));

  beforeAll(async () => {
    minio = await startMinio({ region: REGION });
    root = new S3Client(minio.clientConfig);
    for (const Bucket of ['data', 'private']) await root.send(new CreateBucketCommand({ Bucket }));
    sidecar = await startAwsSidecar({
      proxyMode: true,
      resources: (port) => [
        // Sorts before s3 and serves every *.amazonaws.com name by default; its keys are nobody's: a call
        // it served would be refused (and would go to the real AWS, unreachable here).
        credentialSource('a-other', port + 1, { staticKeys: { secretRef: { name: 'other' } } }),
        withProxyHosts(credentialSource('s3', port, { endpoint: minio.endpoint, allowPlaintextEndpoint: true, staticKeys: { secretRef: { name: 'minio-root' } } }), [`s3.${REGION}.amazonaws.com`, `*.s3.${REGION}.amazonaws.com`]),
        egressPolicy('s3-app', [
          { name: 'read-write', effect: 'Allow', source: 's3', actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts', 's3:ListBucket'], resources: ['arn:aws:s3:::data', 'arn:aws:s3:::data/*'] },
        ]),
      ],
      secrets: {
        s3: { AWS_ACCESS_KEY_ID: minio.accessKeyId, AWS_SECRET_ACCESS_KEY: minio.secretAccessKey },
        'a-other': { AWS_ACCESS_KEY_ID: 'AKIAOTHEROTHEROTHER0', AWS_SECRET_ACCESS_KEY: 'not-a-key-anyone-has' },
      },
    });
    const proxy = sidecar.proxy;
    if (!proxy) throw new Error(`the sidecar did not report its proxy port:\n${sidecar.output()}`);
    const url = `http://127.0.0.1:${proxy.port}`;
    // What the webhook gives a proxy-mode pod, minus AWS_ENDPOINT_URL: the app keeps AWS's own names.
    env = awsEnv({ credentials: PLACEHOLDER, region: REGION, extra: { HTTPS_PROXY: url, https_proxy: url, HTTP_PROXY: url, http_proxy: url, NO_PROXY: 'localhost,127.0.0.1', AWS_CA_BUNDLE: join(proxy.caDir, 'ca-bundle.crt') } });
  }, 60_000);

  afterAll(async () => {
    root?.destroy();
    await sidecar?.stop();
    await minio?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const s3Lines = (): AuditRecord[] => sidecar.audit.filter((a) => a.source === 's3');

  it('boto3: virtual-hosted and path-style calls, multipart; MinIO accepts the signatures; AccessDenied when denied', async () => {
    const run = await runVenv('python', ['-'], { env, input: BOTO3, timeoutMs: 120_000 });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      endpoint: `https://s3.${REGION}.amazonaws.com`,
      vhost: 'virtual-hosted through HTTPS_PROXY',
      path: 'path-style through HTTPS_PROXY',
      multipart: 9 * 1024 * 1024,
      deniedGet: { code: 'AccessDenied', status: 403, message: 'Portcullis denied s3:GetObject on arn:aws:s3:::private/x (EgressPolicy team-a/s3-app: no rule allows it)' },
      deniedDelete: { code: 'AccessDenied', status: 403, message: expect.stringContaining('Portcullis denied s3:DeleteObject on arn:aws:s3:::data/proxy/path style.txt') },
    });
    // MinIO stored what boto3 sent: it verified the sidecar's SigV4 signature with its root keys.
    const stored = await root.send(new GetObjectCommand({ Bucket: 'data', Key: 'proxy/vhost.txt' }));
    expect(await stored.Body?.transformToString()).toBe('virtual-hosted through HTTPS_PROXY');
    expect((await root.send(new HeadObjectCommand({ Bucket: 'data', Key: 'proxy/path style.txt' }))).ContentLength).toBe(30);
    // Every call ran through the s3 source's pipeline and its audit line names the workload.
    const lines = s3Lines();
    expect(lines.length).toBeGreaterThanOrEqual(8);
    const put = lines.find((a) => a.method === 'PUT' && a.status === 200);
    expect(put).toMatchObject({ source: 's3', workload: { namespace: IDENTITY.namespace, serviceAccount: IDENTITY.serviceAccount, pod: IDENTITY.pod }, decision: { effect: 'Allow', rule: 'read-write' } });
    const deny = lines.find((a) => a.status === 403);
    expect(deny).toMatchObject({ workload: { serviceAccount: IDENTITY.serviceAccount }, decision: { effect: 'Deny' } });
    expect(sidecar.audit.filter((a) => a.source === 'a-other')).toEqual([]);
    expect(sidecar.output()).not.toContain(minio.secretAccessKey);
  }, 150_000);

  it('aws CLI: cp up and down with multipart, then AccessDenied on rm', async () => {
    const file = join(dir, 'nine-mib.bin');
    const data = randomBytes(9 * 1024 * 1024 + 3);
    writeFileSync(file, data);
    const aws = (...args: string[]): ReturnType<typeof runVenv> => runVenv('aws', args, { env, timeoutMs: 120_000 });
    expect(await aws('s3', 'cp', file, 's3://data/cli/nine mib.bin', '--only-show-errors')).toMatchObject({ code: 0, stderr: '' });
    expect((await root.send(new HeadObjectCommand({ Bucket: 'data', Key: 'cli/nine mib.bin' }))).ContentLength).toBe(data.length);
    const back = join(dir, 'back.bin');
    expect(await aws('s3', 'cp', 's3://data/cli/nine mib.bin', back, '--only-show-errors')).toMatchObject({ code: 0 });
    expect(readFileSync(back).equals(data)).toBe(true);
    const rm = await aws('s3', 'rm', 's3://data/cli/nine mib.bin');
    expect(rm.code).not.toBe(0);
    expect(rm.stderr).toContain('AccessDenied');
    expect(rm.stderr).toContain('Portcullis denied s3:DeleteObject');
    expect((await root.send(new HeadObjectCommand({ Bucket: 'data', Key: 'cli/nine mib.bin' }))).ContentLength).toBe(data.length);
  }, 180_000);
});
