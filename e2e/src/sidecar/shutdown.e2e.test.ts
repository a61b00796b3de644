// SIGTERM while an app's request is in flight, on the shipped binary: the request finishes and the sidecar
// exits at once after it, though the app's keep-alive pool holds the connection (the source ports keep
// idle connections 65 s); a request that outlives --drain-timeout-seconds is cut and the exit is still clean.
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request, type ClientRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import type { Upstream } from '@portcullis/sidecar/testing';
import { startSidecarProcess, type SidecarProcess } from '../support/sidecar-process.js';
import { standaloneArgs, startBearerWorld, untilReady } from '../support/standalone-config.js';
import { testPort } from '../support/test-ports.js';

const KEY = 'shutdown-real-key';

interface Upload {
  readonly req: ClientRequest;
  /** The status, or the socket error's code. */
  readonly outcome: Promise<number | string>;
}

describe('the shipped sidecar on SIGTERM with a request in flight', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-shutdown-'));
  const agent = new Agent({ keepAlive: true, keepAliveMsecs: 60_000 });
  let upstream: Upstream;
  let sidecar: SidecarProcess | undefined;
  let port: number;

  afterEach(async () => {
    await sidecar?.stop();
    sidecar = undefined;
    await upstream?.close();
  });
  afterAll(() => {
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(drainSeconds: number): Promise<SidecarProcess> {
    port = testPort();
    upstream = await startBearerWorld(dir, KEY, port);
    const s = await startSidecarProcess(standaloneArgs(dir, ['--drain-timeout-seconds', String(drainSeconds)]));
    await untilReady(s.adminPort);
    return s;
  }

  /** A PUT whose body is sent only in part until the test ends it; the response is drained. */
  function startUpload(): Upload {
    const req = request({ host: '127.0.0.1', port, method: 'PUT', path: '/v1/upload', agent, headers: { 'content-length': '8' } });
    const outcome = new Promise<number | string>((resolve) => {
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    req.write('1234');
    return { req, outcome };
  }

  const exited = (s: SidecarProcess): Promise<number | null> =>
    s.child.exitCode !== null ? Promise.resolve(s.child.exitCode) : new Promise((resolve) => s.child.once('close', (code) => resolve(code)));

  /** Starts a sidecar, an upload through it, and once the upstream has the request, SIGTERM. */
  async function sigtermMidUpload(drainSeconds: number): Promise<{ s: SidecarProcess; upload: Upload; exit: Promise<number | null> }> {
    const s = (sidecar = await start(drainSeconds));
    const upload = startUpload();
    while (upstream.received.length === 0) await new Promise((r) => setTimeout(r, 10));
    const exit = exited(s);
    s.child.kill('SIGTERM');
    return { s, upload, exit };
  }

  it('lets the request finish, then exits 0 without waiting for the app to close its keep-alive connection', async () => {
    const { s, upload, exit } = await sigtermMidUpload(30);
    await new Promise((r) => setTimeout(r, 300));
    expect(s.child.exitCode).toBeNull(); // still draining: the upload has not ended
    // A new connection is refused: the port stopped listening at SIGTERM.
    const late = await fetch(`http://127.0.0.1:${port}/v1/late`).then((r) => r.status, (e: Error & { cause?: { code?: string } }) => e.cause?.code);
    expect(late).toBe('ECONNREFUSED');
    upload.req.end('5678');
    expect(await upload.outcome).toBe(200);
    // The agent still holds the socket; the sidecar closes it as soon as the answer is out, long before
    // the 30 s drain deadline (the test's 20 s timeout would fail first).
    expect(await exit).toBe(0);
    expect(s.stderr.join('\n')).not.toContain('cut');
  }, 20_000);

  it('cuts a request still in flight at --drain-timeout-seconds, logs it, and exits 0', async () => {
    const { s, upload, exit } = await sigtermMidUpload(1);
    expect(await upload.outcome).toBe('ECONNRESET');
    expect(await exit).toBe(0);
    const cut = s.stderr.map((l) => JSON.parse(l) as { msg: string; drainTimeoutMs?: number }).find((l) => l.msg.includes('drain deadline'));
    expect(cut).toMatchObject({ msg: 'requests still in flight at the drain deadline were cut', drainTimeoutMs: 1000 });
  }, 20_000);
});
