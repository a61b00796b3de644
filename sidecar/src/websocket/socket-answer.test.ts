import { describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { PortcullisError } from '@portcullis/shared';
import { writeJsonError } from '../http/json-error.js';
import { responseHead, SocketAnswer } from './socket-answer.js';

describe('responseHead', () => {
  it('writes the status line and every value of repeated headers', () => {
    expect(responseHead(101, { upgrade: 'websocket', 'sec-websocket-extensions': ['a', 'b'] })).toBe(
      'HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nsec-websocket-extensions: a\r\nsec-websocket-extensions: b\r\n\r\n',
    );
  });

  it('refuses a value that would end the head early (response splitting)', () => {
    expect(() => responseHead(400, { 'x-a': 'ok\r\nset-cookie: evil=1' })).toThrow(TypeError);
  });
});

describe('SocketAnswer', () => {
  it('carries the JSON error of a refused upgrade on the raw socket and closes the connection', async () => {
    const socket = new PassThrough();
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString()));
    const answer = new SocketAnswer(socket);
    answer.setHeader('Retry-After', '1');
    writeJsonError(answer, new PortcullisError('POLICY_DENIED', 'denied'), 'req-1');
    await new Promise((r) => socket.on('end', r));
    expect(answer.headersSent).toBe(true);
    expect(text).toMatch(/^HTTP\/1.1 403 Forbidden\r\n/);
    expect(text).toContain('retry-after: 1\r\n');
    expect(text).toContain('connection: close\r\n');
    const body = text.slice(text.indexOf('\r\n\r\n') + 4);
    expect(JSON.parse(body)).toMatchObject({ error: { code: 'POLICY_DENIED', requestId: 'req-1' } });
    expect(text).toContain(`content-length: ${Buffer.byteLength(body)}\r\n`);
  });
});
