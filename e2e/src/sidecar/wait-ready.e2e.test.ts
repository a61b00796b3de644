// The regular-container fallback holds the app containers with the sidecar image's own
// `portcullis-sidecar wait-ready` (the image has no shell and no Node): run the shipped executable.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SIDECAR_BINARY } from '../support/sidecar-process.js';

function run(args: readonly string[]): Promise<{ code: number; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(SIDECAR_BINARY, ['wait-ready', ...args], { timeout: 20_000 }, (err, _out, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stderr, ms: Date.now() - started });
    });
  });
}

describe('portcullis-sidecar wait-ready', () => {
  let server: Server;
  let port = 0;
  let readyAfter = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      res.writeHead(req.url === '/readyz' && Date.now() >= readyAfter ? 200 : 503).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('exits 0 once /readyz answers 200, not before', async () => {
    readyAfter = Date.now() + 700;
    const result = await run(['--port', String(port), '--timeout-seconds', '10']);
    expect(result.code).toBe(0);
    expect(result.ms).toBeGreaterThanOrEqual(600);
  });

  it('exits 1 at its timeout when nothing answers', async () => {
    const result = await run(['--port', '1', '--timeout-seconds', '1']);
    expect(result.code).toBe(1);
  });

  it('exits 2 with a usage message for bad arguments', async () => {
    const result = await run(['--prot', '15190']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/usage: wait-ready --port N/);
  });
});
