import { Agent, createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { drainServer } from './drain.js';

// Our servers keep idle connections 65 s; a drain that waited for that would outlive any test timeout.
const KEEP_ALIVE_MS = 65_000;
const agents: Agent[] = [];
const servers: Server[] = [];

afterEach(() => {
  for (const a of agents.splice(0)) a.destroy();
  for (const s of servers.splice(0)) s.closeAllConnections();
});

async function listen(handler: (req: IncomingMessage, answer: (body: string) => void) => void): Promise<number> {
  const server = createServer({ keepAliveTimeout: KEEP_ALIVE_MS, requestTimeout: 0 }, (req, res) => handler(req, (body) => res.end(body)));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** One GET on a keep-alive agent that keeps its sockets: resolves with the body, or the socket error. */
function get(port: number, path: string): Promise<string> {
  const agent = new Agent({ keepAlive: true });
  agents.push(agent);
  return new Promise((resolve) => {
    request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve(body));
    })
      .on('error', (err: NodeJS.ErrnoException) => resolve(`error ${err.code ?? err.message}`))
      .end();
  });
}

describe('drainServer', () => {
  it('lets a request in flight finish, then closes its keep-alive connection instead of waiting for the client', async () => {
    let answer: ((body: string) => void) | undefined;
    const port = await listen((_req, a) => (answer = a));
    const server = servers[0]!;
    const got = get(port, '/slow');
    while (!answer) await new Promise((r) => setTimeout(r, 5));
    const drained = drainServer(server, { deadlineMs: 30_000, pollMs: 10 });
    setTimeout(() => answer?.('done'), 100);
    expect(await got).toBe('done');
    // Resolves long before keepAliveTimeout or the deadline (the test's 5 s timeout would fail first).
    await expect(drained).resolves.toEqual({ cut: false });
    expect(server.listening).toBe(false);
  });

  it('cuts a request still unanswered at the deadline and says so', async () => {
    const port = await listen(() => undefined);
    const server = servers[0]!;
    const got = get(port, '/never');
    await new Promise((r) => setTimeout(r, 50));
    await expect(drainServer(server, { deadlineMs: 200, pollMs: 10 })).resolves.toEqual({ cut: true });
    expect(await got).toBe('error ECONNRESET');
  });

  it('closes idle keep-alive connections at once', async () => {
    const port = await listen((_req, a) => a('ok'));
    const server = servers[0]!;
    expect(await get(port, '/')).toBe('ok');
    await expect(drainServer(server, { deadlineMs: 30_000 })).resolves.toEqual({ cut: false });
  });

  it('resolves at once for a server that is not listening', async () => {
    await expect(drainServer(createServer(), { deadlineMs: 30_000 })).resolves.toEqual({ cut: false });
  });
});
