import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startHarness, type Harness } from '../test-support/harness.js';
import { httpSource, policy } from '../test-support/resources.js';
import { json, startUpstream, testPki, type Upstream } from '../test-support/upstream.js';

/** PUTs `mib` MiB in 64 KiB writes and resolves with the status the client managed to read. */
function slowUpload(url: string, path: string, mib: number): Promise<number | string> {
  const u = new URL(url);
  const chunk = Buffer.alloc(64 * 1024, 0x63);
  const total = (mib * 1024 * 1024) / chunk.length;
  return new Promise((resolve) => {
    const req = request({ host: u.hostname, port: u.port, method: 'PUT', path, headers: { 'content-length': String(total * chunk.length) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    let sent = 0;
    const pump = (): void => {
      if (sent === total) return void req.end();
      sent++;
      if (req.write(chunk)) setImmediate(pump);
      else req.once('drain', pump);
    };
    pump();
  });
}

describe('answering before the body is read', () => {
  let upstream: Upstream;
  let h: Harness;

  beforeAll(async () => {
    upstream = await startUpstream(testPki(), () => true, (req, res) => {
      req.resume();
      req.on('end', () => json(res, 200, {}));
    });
    h = await startHarness({
      port: 18080,
      sources: [httpSource('api', 18080, { upstream: upstream.url, caBundle: upstream.ca.certPem, injection: { type: 'Bearer' }, secretRef: { name: 'api', key: 'k' } })],
      policies: [policy('uploads', [{ effect: 'Allow', source: 'api', paths: ['/allowed/**'] }])],
      secrets: { api: { k: 'key' } },
    });
  });
  afterAll(async () => {
    await h.close();
    await upstream.close();
  });

  it('lets a client that is still sending a denied upload read the 403 instead of a connection reset', async () => {
    expect(await slowUpload(h.url, '/denied/big.bin', 8)).toBe(403);
    expect(upstream.received).toHaveLength(0);
  });

  it('still forwards allowed uploads on a fresh connection afterwards', async () => {
    expect(await slowUpload(h.url, '/allowed/big.bin', 4)).toBe(200);
  });
});
