import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { stsAssumeRole } from './sts-assume-role.js';

describe('stsAssumeRole', () => {
  // What a hung STS endpoint looks like: the connection is accepted, the request read, nothing answered.
  const sockets: Socket[] = [];
  let server: Server;
  let requests = 0;

  beforeAll(async () => {
    server = createServer((s) => {
      sockets.push(s);
      s.on('data', (chunk: Buffer) => {
        if (chunk.toString('latin1').startsWith('POST ')) requests++;
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('gives up on an STS endpoint that never answers after its attempts time out, instead of waiting forever', async () => {
    const target = { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, region: 'us-east-1' };
    const sts = stsAssumeRole(target, { connectTimeoutMs: 500, requestTimeoutMs: 300 });
    const t0 = Date.now();
    try {
      await expect(sts.assume({ roleArn: 'arn:aws:iam::123456789012:role/r', sessionName: 's', token: 'not-a-real-token', durationSeconds: 900 })).rejects.toMatchObject({
        name: 'TimeoutError',
      });
    } finally {
      sts.destroy();
    }
    expect(Date.now() - t0).toBeLessThan(8_000);
    expect(requests).toBe(3); // the SDK's three attempts, each cut off at the request timeout
  }, 20_000);
});
