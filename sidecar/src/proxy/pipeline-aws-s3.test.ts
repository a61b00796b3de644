import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CopyObjectCommand, DeleteObjectsCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { sendRaw, signAsApp } from '../test-support/aws-app.js';
import { clientConfig } from '../test-support/aws-sdk-cases.js';
import { startAwsUpstream, type AwsUpstream } from '../test-support/aws-upstream.js';
import { eventually, startHarness, type Harness } from '../test-support/harness.js';
import { awsSource, policy } from '../test-support/resources.js';

const REAL = { id: 'AKIAREALS3KEY0000001', secret: 'real-s3-secret/0001' };
const KEYS = ['a b.txt', 'a+b.txt', 'lit%2Fslash', 'c:d@e=f', 'ünï/cødé ✓.txt', '/leading//double', 'k'.repeat(1024)];

/** Resolves every *.localhost name to 127.0.0.1, as systems with systemd-resolved do. */
const localhostAgent = new Agent({
  lookup: (_host: string, options: object, cb: (err: Error | null, address: string | { address: string; family: number }[], family?: number) => void) => {
    if ((options as { all?: boolean }).all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
    else cb(null, '127.0.0.1', 4);
  },
});

describe('S3 through an aws source', () => {
  let upstream: AwsUpstream;
  let h: Harness;
  let s3: S3Client;
  const deleted = (): string => '<DeleteResult><Deleted><Key>tmp/a</Key></Deleted></DeleteResult>';

  beforeAll(async () => {
    upstream = await startAwsUpstream({
      keys: new Map([[REAL.id, { secretAccessKey: REAL.secret }]]),
      respond: (call) => {
        if (call.url.includes('?delete')) return { headers: { 'content-type': 'application/xml' }, body: deleted() };
        if (call.headers['x-amz-copy-source']) return { headers: { 'content-type': 'application/xml' }, body: '<CopyObjectResult><ETag>"c"</ETag></CopyObjectResult>' };
        if (call.method === 'GET') return { headers: { 'content-type': 'text/plain' }, body: `object at ${call.url.split('?')[0] ?? ''}` };
        return { headers: { etag: '"e"' } };
      },
    });
    h = await startHarness({
      port: 18120,
      sources: [awsSource('s3', 18120, { endpoint: upstream.url, allowPlaintextEndpoint: true, staticKeys: { secretRef: { name: 'k', accessKeyIdKey: 'id', secretAccessKeyKey: 'secret' } } })],
      policies: [
        policy('s3', [
          { name: 'data', effect: 'Allow', source: 's3', actions: ['s3:GetObject', 's3:PutObject'], resources: ['arn:aws:s3:::data/*'] },
          { name: 'tmp', effect: 'Allow', source: 's3', actions: ['s3:DeleteObject'], resources: ['arn:aws:s3:::data/tmp/*'] },
        ]),
      ],
      secrets: { s3: { id: REAL.id, secret: REAL.secret } },
    });
    s3 = new S3Client({ ...clientConfig(h.url), forcePathStyle: true });
  });
  afterAll(async () => {
    s3.destroy();
    localhostAgent.destroy();
    await h.close();
    await upstream.close();
  });

  it.each(KEYS.map((k) => [k.length > 40 ? `${k.slice(0, 8)}… (${k.length} bytes)` : k, k]))('puts and gets key %s, signed for exactly that key', async (_label, key) => {
    await s3.send(new PutObjectCommand({ Bucket: 'data', Key: key, Body: 'v' }));
    const put = upstream.calls.at(-1);
    expect(put?.verdict.ok).toBe(true);
    const text = await (await s3.send(new GetObjectCommand({ Bucket: 'data', Key: key }))).Body?.transformToString();
    const get = upstream.calls.at(-1);
    expect(get?.verdict.ok).toBe(true);
    expect(get?.url.split('?')[0]).toBe(put?.url.split('?')[0]);
    const path = `/data/${key.split('/').map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/')}`;
    expect(get?.url.split('?')[0]).toBe(path);
    expect(text).toBe(`object at ${path}`);
    await eventually(() => expect(h.audit.at(-1)?.aws).toMatchObject({ action: 's3:GetObject', resources: [`arn:aws:s3:::data/${key}`] }));
  });

  it('turns a virtual-hosted request (bucket.localhost) into path-style for the endpoint override', async () => {
    const port = new URL(h.url).port;
    const vhost = new S3Client({ ...clientConfig(`http://localhost:${port}`), forcePathStyle: false, requestHandler: new NodeHttpHandler({ httpAgent: localhostAgent }) });
    await vhost.send(new PutObjectCommand({ Bucket: 'data', Key: 'v/hosted.txt', Body: 'x' }));
    vhost.destroy();
    const call = upstream.calls.at(-1);
    expect(call?.verdict.ok).toBe(true);
    expect(call?.url).toMatch(/^\/data\/v\/hosted\.txt/);
    expect(call?.headers.host).toBe(new URL(upstream.url).host);
    const headers = await signAsApp({ method: 'GET', path: '/raw.txt', headers: {}, payload: 'UNSIGNED-PAYLOAD' });
    const res = await sendRaw(h.url, { method: 'GET', path: '/raw.txt', headers: { ...headers, host: `data.localhost:${port}` } });
    expect(res.status).toBe(200);
    expect(upstream.calls.at(-1)?.url).toBe('/data/raw.txt');
  });

  it('re-signs a presigned GET URL the app made with placeholder keys, for no longer than the app asked', async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'data', Key: 'report.pdf' }), { expiresIn: 300 });
    expect(url).toContain('X-Amz-Credential=portcullis-placeholder');
    const res = await fetch(url);
    expect(res.status).toBe(200);
    const call = upstream.calls.at(-1);
    expect(call?.verdict).toMatchObject({ ok: true, request: { presigned: true, accessKeyId: REAL.id } });
    const expires = Number(new URL(`http://x${call?.url ?? ''}`).searchParams.get('X-Amz-Expires'));
    expect(expires).toBeGreaterThan(290);
    expect(expires).toBeLessThanOrEqual(300);
  });

  it('refuses an expired presigned URL with AccessDenied and never forwards it', async () => {
    const past = new Date(Date.now() - 3600_000);
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'data', Key: 'old.pdf' }), { expiresIn: 60, signingDate: past });
    const before = upstream.calls.length;
    const res = await fetch(url);
    expect(res.status).toBe(403);
    const body = await res.text();
    expect(body).toContain('<Code>AccessDenied</Code>');
    expect(body).toContain('AWS_PRESIGNED_URL_EXPIRED');
    expect(upstream.calls.length).toBe(before);
  });

  /** A SigV2 presigned URL as boto3 makes it by default (the signature is never checked by the sidecar). */
  const sigV2Url = (path: string, expires: number): string =>
    `${h.url}${path}?AWSAccessKeyId=portcullis-placeholder&Signature=uCzBbbGQcK0IfK8K3ZUiT8lI3cE%3D&Expires=${expires}`;

  it('re-issues a SigV2 presigned URL as SigV4 with the real key, valid only until the SigV2 deadline', async () => {
    const expires = Math.floor(Date.now() / 1000) + 120;
    const res = await fetch(sigV2Url('/data/v2%20report.pdf', expires));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('object at /data/v2%20report.pdf');
    const call = upstream.calls.at(-1);
    expect(call?.verdict).toMatchObject({ ok: true, request: { presigned: true, accessKeyId: REAL.id } });
    const sent = new URL(`http://x${call?.url ?? ''}`).searchParams;
    expect([...sent.keys()].filter((k) => !k.startsWith('X-Amz-'))).toEqual([]);
    expect(Number(sent.get('X-Amz-Expires'))).toBeGreaterThan(110);
    expect(Number(sent.get('X-Amz-Expires'))).toBeLessThanOrEqual(120);
    expect(sent.get('X-Amz-Credential')).toMatch(/\/us-east-1\/s3\/aws4_request$/);
  });

  it('denies a SigV2 presigned URL the policy does not allow, naming the action', async () => {
    const before = upstream.calls.length;
    const res = await fetch(sigV2Url('/private/k', Math.floor(Date.now() / 1000) + 60));
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Portcullis denied s3:GetObject on arn:aws:s3:::private/k');
    expect(upstream.calls.length).toBe(before);
  });

  it('refuses an expired SigV2 presigned URL the way S3 does and never forwards it', async () => {
    const before = upstream.calls.length;
    const expires = Math.floor(Date.now() / 1000) - 5;
    const res = await fetch(sigV2Url('/data/old.pdf', expires));
    expect(res.status).toBe(403);
    const body = await res.text();
    expect(body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);
    expect(body).toContain(`<Expires>${new Date(expires * 1000).toISOString().replace('.000Z', 'Z')}</Expires><ServerTime>`);
    expect(body).toContain('<PortcullisCode>AWS_PRESIGNED_URL_EXPIRED</PortcullisCode>');
    expect(upstream.calls.length).toBe(before);
  });

  it('authorizes DeleteObjects key by key and denies the batch when one key is not allowed', async () => {
    await s3.send(new DeleteObjectsCommand({ Bucket: 'data', Delete: { Objects: [{ Key: 'tmp/a' }, { Key: 'tmp/b' }] } }));
    expect(upstream.calls.at(-1)?.verdict.ok).toBe(true);
    const before = upstream.calls.length;
    const err = (await s3.send(new DeleteObjectsCommand({ Bucket: 'data', Delete: { Objects: [{ Key: 'tmp/a' }, { Key: 'keep/b' }] } })).catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('AccessDenied');
    expect(err.message).toContain('Portcullis denied s3:DeleteObject on arn:aws:s3:::data/keep/b');
    expect(upstream.calls.length).toBe(before);
  });

  it('authorizes CopyObject as a read of the source and a write of the target', async () => {
    await s3.send(new CopyObjectCommand({ Bucket: 'data', Key: 'copy.txt', CopySource: 'data/orig.txt' }));
    expect(upstream.calls.at(-1)?.verdict.ok).toBe(true);
    const err = (await s3.send(new CopyObjectCommand({ Bucket: 'data', Key: 'copy.txt', CopySource: 'secrets/key.pem' })).catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('AccessDenied');
    expect(err.message).toContain('Portcullis denied s3:GetObject on arn:aws:s3:::secrets/key.pem');
  });

  it('refuses an unsigned request instead of guessing its service', async () => {
    const res = await fetch(`${h.url}/data/x.txt`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('AWS_MALFORMED_AUTHORIZATION');
  });
});
