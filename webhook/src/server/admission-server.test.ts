import { Agent, request } from 'node:https';
import { connect } from 'node:tls';
import { Writable } from 'node:stream';
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { PortcullisError } from '@portcullis/shared';
import { createCertificateAuthority, issueCertificate, type KeyPair } from '@portcullis/shared/pki';
import { pino } from 'pino';
import { admit } from '../admission/handle.js';
import { TEST_CONFIG } from '../inject/testdata/fixtures.js';
import { createMetrics } from '../metrics.js';
import { AdmissionServer, type AdmissionServerDeps } from './admission-server.js';

const now = new Date();
let ca: KeyPair;
const leaf = (): KeyPair => issueCertificate(ca, { commonName: 'webhook', ipAddresses: ['127.0.0.1'], usages: ['server'], validitySeconds: 3600, now });

function post(port: number, body: string): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/mutate', method: 'POST', ca: ca.certPem, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function peerFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: ca.certPem }, () => {
      resolve(socket.getPeerX509Certificate()?.fingerprint256 ?? '');
      socket.end();
    });
    socket.on('error', reject);
  });
}

const review = (uid: string, annotations: Record<string, string> = {}): string =>
  JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: { uid, resource: { group: '', version: 'v1', resource: 'pods' }, namespace: 'team-a', operation: 'CREATE', object: { metadata: { name: 'p', annotations }, spec: { containers: [{ name: 'app' }] } } },
  });

describe('AdmissionServer', () => {
  let server: AdmissionServer | undefined;
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _e, cb) => { lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>); cb(); } });
  const metrics = createMetrics({ defaultMetrics: false });
  const deps = (over: Partial<AdmissionServerDeps> = {}): AdmissionServerDeps => ({
    log: pino({ level: 'debug' }, sink),
    metrics,
    admit: (req) => admit(req, { sourcesIn: () => [], config: TEST_CONFIG }),
    onEvents: () => undefined,
    ...over,
  });
  const start = async (over: Partial<AdmissionServerDeps> = {}, maxRequestBytes = 1 << 20): Promise<number> => {
    server = new AdmissionServer({ address: '127.0.0.1', port: 0, maxRequestBytes, requestTimeoutMs: 5000 }, deps(over));
    return (await server.start(leaf())).port;
  };

  beforeAll(() => {
    ca = createCertificateAuthority({ commonName: 'test CA', validitySeconds: 3600, now });
  });
  afterEach(async () => {
    await server?.stop();
  });

  it('answers an AdmissionReview over TLS and logs with the admission UID', async () => {
    const port = await start();
    const res = await post(port, review('uid-42', { 'portcullis.dev/inject': 'true' }));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ kind: 'AdmissionReview', response: { uid: 'uid-42', allowed: true, patchType: 'JSONPatch' } });
    expect(lines.find((l) => l.admissionUid === 'uid-42')).toMatchObject({ result: 'injected', reason: 'Injected' });
    expect((await metrics.admissions.get()).values.find((v) => v.labels.result === 'injected')?.value).toBeGreaterThan(0);
  });

  it('keeps an idle keep-alive connection open longer than Node\'s 5 s default, so a reused one is never reset', async () => {
    const port = await start();
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: ca.certPem });
    const once = (): Promise<{ status: number; reused: boolean }> =>
      new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/mutate', method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
        });
        req.on('error', reject);
        req.end(review('keep-alive', { 'portcullis.dev/inject': 'true' }));
      });
    try {
      expect(await once()).toEqual({ status: 200, reused: false });
      // Past Node's 5 s keepAliveTimeout and its 1 s keepAliveTimeoutBuffer.
      await new Promise((r) => setTimeout(r, 7000));
      expect(await once()).toEqual({ status: 200, reused: true });
    } finally {
      agent.destroy();
    }
  }, 15_000);

  it('answers 400 ADMISSION_REVIEW_INVALID to a body that is not an AdmissionReview', async () => {
    const port = await start();
    expect(await post(port, '{"kind":"Pod"}')).toMatchObject({ status: 400, json: { error: { code: 'ADMISSION_REVIEW_INVALID' } } });
    expect(await post(port, 'not json')).toMatchObject({ status: 400 });
  });

  it('answers 413 to a body over the limit without buffering it all', async () => {
    const port = await start({}, 1024);
    expect(await post(port, review('big', { filler: 'x'.repeat(4096) }))).toMatchObject({ status: 413, json: { error: { code: 'ADMISSION_BODY_TOO_LARGE' } } });
  });

  it('answers 503 while the sources are not loaded, so the API server applies the failurePolicy', async () => {
    const port = await start({ admit: () => { throw new PortcullisError('SOURCES_NOT_SYNCED', 'not yet'); } });
    expect(await post(port, review('u'))).toMatchObject({ status: 503, json: { error: { code: 'SOURCES_NOT_SYNCED' } } });
  });

  it('serves a reloaded certificate to new connections without a restart', async () => {
    const port = await start();
    const first = await peerFingerprint(port);
    server?.reload(leaf());
    const second = await peerFingerprint(port);
    expect(second).not.toBe(first);
    expect((await post(port, review('after-reload'))).status).toBe(200);
  });

  it('hands Events to the recorder only when the admission produced some', async () => {
    const seen: unknown[] = [];
    const port = await start({
      admit: (req) => admit(req, { sourcesIn: () => [], config: TEST_CONFIG }),
      onEvents: (e) => seen.push(...e),
    });
    await post(port, review('u1', { 'portcullis.dev/inject': 'true' }));
    await post(port, review('u2', { 'portcullis.dev/inject': 'true', 'portcullis.dev/sources': 'missing' }));
    expect(seen).toEqual([expect.objectContaining({ reason: 'SourceNotFound', podName: 'p' })]);
  });
});
