import { createServer } from 'node:net';

/**
 * A random port for a test's sidecar to listen on, below Linux's ephemeral range (32768–60999 by default,
 * /proc/sys/net/ipv4/ip_local_port_range): ports above 32767 may already be held by the outgoing end of
 * some connection, and a source port that cannot be bound fails every call of the suite with ECONNREFUSED
 * (a fresh-clone run lost framing-corpus this way on port 33628). `count` consecutive ports fit below it.
 */
export function testPort(count = 1): number {
  return 20000 + Math.floor(Math.random() * (12000 - count));
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * A testPort() nothing listens on right now (bound once and released): for a peer that must know its port
 * before it starts and keep it across restarts (Hydra, OpenBao). Still a guess — a peer retries if it lost it.
 */
export async function freeTestPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = testPort();
    if (await bindable(port)) return port;
  }
  throw new Error('found no free port below the ephemeral range in 20 attempts');
}
