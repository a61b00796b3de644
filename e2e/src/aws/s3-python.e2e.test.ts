// boto3 and the aws CLI (from the project's venv) as the app, with the placeholder keys the webhook
// gives pods and AWS_ENDPOINT_URL pointing at the sidecar; MinIO verifies what arrives.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { awsEnv, runVenv } from '../support/aws-peers.js';
import { PLACEHOLDER, startS3World, type S3World } from './s3-setup.js';

const KEYS = ['boto3/with space.txt', 'boto3/plus+at@colon:eq=.txt', 'boto3/ünï ✓.txt', 'boto3/literal%2F'];

// *.localhost resolves to 127.0.0.1 here, as with systemd-resolved, for virtual-hosted addressing.
const BOTO3 = String.raw`
import io, json, os, socket, urllib.error, urllib.request
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

_getaddrinfo = socket.getaddrinfo
def _local(host, *args, **kwargs):
    return _getaddrinfo("127.0.0.1" if isinstance(host, str) and host.endswith(".localhost") else host, *args, **kwargs)
socket.getaddrinfo = _local

def denied(call):
    try:
        call()
        return None
    except ClientError as e:
        return {"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}

keys = json.loads(os.environ["KEYS"])
s3 = boto3.client("s3")
out = {"got": []}
for key in keys:
    s3.put_object(Bucket="data", Key=key, Body=("boto3 " + key).encode())
    out["got"].append(s3.get_object(Bucket="data", Key=key)["Body"].read().decode())
data = os.urandom(9 * 1024 * 1024)
s3.upload_fileobj(io.BytesIO(data), "data", "boto3/multipart.bin")
out["multipart"] = s3.head_object(Bucket="data", Key="boto3/multipart.bin")["ContentLength"]
# boto3 presigns S3 URLs with SigV2 by default: the sidecar re-issues them as SigV4 (MinIO checks that).
def fetch(url):
    try:
        return {"status": 200, "body": urllib.request.urlopen(url).read().decode()}
    except urllib.error.HTTPError as e:
        return {"status": e.code, "body": e.read().decode()}
sigv2 = s3.generate_presigned_url("get_object", Params={"Bucket": "data", "Key": keys[0]}, ExpiresIn=60)
out["sigv2Query"] = sorted(k.split("=")[0] for k in sigv2.split("?", 1)[1].split("&"))
out["sigv2"] = fetch(sigv2)
out["sigv2Denied"] = fetch(s3.generate_presigned_url("get_object", Params={"Bucket": "private", "Key": "x"}, ExpiresIn=60))
out["sigv2Expired"] = fetch(s3.generate_presigned_url("get_object", Params={"Bucket": "data", "Key": keys[0]}, ExpiresIn=-5))
s3v4 = boto3.client("s3", config=Config(signature_version="s3v4"))
url = s3v4.generate_presigned_url("get_object", Params={"Bucket": "data", "Key": keys[0]}, ExpiresIn=60)
out["presigned"] = urllib.request.urlopen(url).read().decode()
s3.copy_object(Bucket="data", Key="boto3/copy.txt", CopySource={"Bucket": "data", "Key": keys[1]})
out["copied"] = s3.get_object(Bucket="data", Key="boto3/copy.txt")["Body"].read().decode()
vhost = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"].replace("127.0.0.1", "localhost"), config=Config(s3={"addressing_style": "virtual"}))
vhost.put_object(Bucket="data", Key="boto3/vhost.txt", Body=b"virtual")
out["vhost"] = vhost.get_object(Bucket="data", Key="boto3/vhost.txt")["Body"].read().decode()
out["deniedGet"] = denied(lambda: s3.get_object(Bucket="private", Key="x"))
out["deniedDelete"] = denied(lambda: s3.delete_objects(Bucket="data", Delete={"Objects": [{"Key": "tmp/a"}, {"Key": "boto3/copy.txt"}]}))
print(json.dumps(out))
`;

describe('S3 through the sidecar: boto3 and the aws CLI against MinIO', () => {
  let s: S3World;
  let env: Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-cli-'));

  beforeAll(async () => {
    s = await startS3World();
    // The aws CLI v1 presigns with SigV2 unless told otherwise; SigV4 is what the sidecar can re-sign.
    writeFileSync(join(dir, 'config'), '[default]\ns3 =\n    signature_version = s3v4\n');
    env = awsEnv({ credentials: PLACEHOLDER, region: s.minio.region, endpointUrl: s.url });
  }, 60_000);
  afterAll(async () => {
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('boto3: odd keys, multipart, presigned URLs (SigV2 by default, SigV4), copy, virtual-hosted addressing; AccessDenied when denied', async () => {
    const run = await runVenv('python', ['-'], { env: { ...env, KEYS: JSON.stringify(KEYS) }, input: BOTO3, timeoutMs: 120_000 });
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({
      got: KEYS.map((k) => `boto3 ${k}`),
      multipart: 9 * 1024 * 1024,
      presigned: `boto3 ${KEYS[0] ?? ''}`,
      sigv2Query: ['AWSAccessKeyId', 'Expires', 'Signature'],
      sigv2: { status: 200, body: `boto3 ${KEYS[0] ?? ''}` },
      sigv2Denied: { status: 403, body: expect.stringContaining('Portcullis denied s3:GetObject on arn:aws:s3:::private/x') },
      sigv2Expired: { status: 403, body: expect.stringMatching(/<Code>AccessDenied<\/Code><Message>Request has expired<\/Message><Expires>[^<]+<\/Expires><ServerTime>/) },
      copied: `boto3 ${KEYS[1] ?? ''}`,
      vhost: 'virtual',
      deniedGet: { code: 'AccessDenied', status: 403, message: 'Portcullis denied s3:GetObject on arn:aws:s3:::private/x (EgressPolicy team-a/s3-app: no rule allows it)' },
      deniedDelete: { code: 'AccessDenied', status: 403, message: expect.stringContaining('s3:DeleteObject on arn:aws:s3:::data/boto3/copy.txt') },
    });
    for (const key of KEYS) {
      const stored = await s.root.send(new GetObjectCommand({ Bucket: 'data', Key: key }));
      expect(await stored.Body?.transformToString()).toBe(`boto3 ${key}`);
    }
  }, 120_000);

  it('aws CLI: multipart cp up and down, s3api with an odd key, presign; AccessDenied on rm', async () => {
    const file = join(dir, 'nine-mib.bin');
    const data = randomBytes(9 * 1024 * 1024 + 3);
    writeFileSync(file, data);
    const aws = (...args: string[]): ReturnType<typeof runVenv> => runVenv('aws', args, { env: { ...env, AWS_CONFIG_FILE: join(dir, 'config') }, timeoutMs: 120_000 });

    expect(await aws('s3', 'cp', file, 's3://data/cli/nine mib.bin', '--only-show-errors')).toMatchObject({ code: 0, stderr: '' });
    expect((await s.root.send(new HeadObjectCommand({ Bucket: 'data', Key: 'cli/nine mib.bin' }))).ContentLength).toBe(data.length);
    const back = join(dir, 'back.bin');
    expect(await aws('s3', 'cp', 's3://data/cli/nine mib.bin', back, '--only-show-errors')).toMatchObject({ code: 0 });
    expect(readFileSync(back).equals(data)).toBe(true);

    const put = await aws('s3api', 'put-object', '--bucket', 'data', '--key', 'cli/odd+key@=:ü.txt', '--body', file, '--output', 'json');
    expect(put.code).toBe(0);
    const presign = await aws('s3', 'presign', 's3://data/cli/odd+key@=:ü.txt', '--expires-in', '60');
    expect(presign.code).toBe(0);
    expect((await fetch(presign.stdout.trim())).status).toBe(200);

    const rm = await aws('s3', 'rm', 's3://data/cli/odd+key@=:ü.txt');
    expect(rm.code).not.toBe(0);
    expect(rm.stderr).toContain('AccessDenied');
    expect(rm.stderr).toContain('Portcullis denied s3:DeleteObject');
  }, 180_000);
});
