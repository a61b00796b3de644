// A local WebSocket upstream (the `ws` library's server over HTTPS) for tests of WebSocket upgrades. Like
// startUpstream, it fakes only the API's business logic: the handshake is refused with 401 unless the
// credential is the real one, and it records every TCP connection, handshake and close, so tests assert
// on what reached it. Messages: "echo:<text>" is sent back, "close:<code>" closes from the upstream side,
// "bytes:<n>" answers with one binary message of n bytes, "flood:<m>" with m binary messages of 1 MiB,
// each sent once the previous one was written (so a stalled reader stalls it), a JSON event {"type": t} (an SDK's client event) is
// answered with {"type": "portcullis.test.echo", "received": t}.
import type { IncomingMessage } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { KeyPair } from '@portcullis/shared/pki';

export interface WsHandshake {
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  /** The close code and reason the upstream saw (undefined while open); 1006: the connection dropped. */
  closed: { code: number; reason: string } | undefined;
  /** Bytes of message payload received. */
  received: number;
  /** Bytes of flood payload written to the socket so far. */
  flooded: number;
}

export interface WsUpstream {
  readonly url: string;
  readonly ca: KeyPair;
  /** TCP connections accepted (a refused upgrade must open none). */
  connections(): number;
  /** Upgrades the upstream accepted, in order. */
  readonly handshakes: WsHandshake[];
  /** Upgrade requests it refused (wrong credential), with their headers. */
  readonly refused: IncomingMessage['headers'][];
  close(): Promise<void>;
}

const MiB = 1024 * 1024;

/** Sends `count` messages of 1 MiB, each after the previous one was written to the socket. */
function flood(ws: WebSocket, record: WsHandshake, count: number): void {
  const chunk = Buffer.alloc(MiB, 3);
  const next = (left: number): void => {
    if (left === 0 || ws.readyState !== ws.OPEN) return;
    ws.send(chunk, { binary: true }, (err) => {
      if (err) return;
      record.flooded += MiB;
      next(left - 1);
    });
  };
  next(count);
}

export async function startWsUpstream(pki: { ca: KeyPair; leaf: KeyPair }, authorize: (headers: IncomingMessage['headers']) => boolean): Promise<WsUpstream> {
  const handshakes: WsHandshake[] = [];
  const refused: IncomingMessage['headers'][] = [];
  let connections = 0;
  const server: Server = createServer({ cert: pki.leaf.certPem, key: pki.leaf.keyPem }, (_req, res) => {
    res.writeHead(426, { 'content-type': 'application/json' }).end('{"error":{"message":"upgrade required"}}');
  });
  server.on('connection', () => (connections += 1));
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    if (!authorize(req.headers)) {
      refused.push(req.headers);
      const body = '{"error":{"message":"bad credential"}}';
      socket.end(`HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const record: WsHandshake = { url: req.url ?? '', headers: req.headers, closed: undefined, received: 0, flooded: 0 };
      handshakes.push(record);
      sockets.add(ws);
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        record.received += data.length;
        if (isBinary) return;
        const text = data.toString();
        if (text.startsWith('echo:')) ws.send(text);
        else if (text.startsWith('close:')) ws.close(Number(text.slice(6)), 'upstream says bye');
        else if (text.startsWith('bytes:')) ws.send(Buffer.alloc(Number(text.slice(6)), 7));
        else if (text.startsWith('flood:')) flood(ws, record, Number(text.slice(6)));
        else if (text.startsWith('{')) ws.send(JSON.stringify({ type: 'portcullis.test.echo', received: (JSON.parse(text) as { type?: unknown }).type }));
      });
      ws.on('close', (code: number, reason: Buffer) => {
        record.closed = { code, reason: reason.toString() };
        sockets.delete(ws);
      });
      ws.on('error', () => undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    ca: pki.ca,
    connections: () => connections,
    handshakes,
    refused,
    close: () =>
      new Promise((resolve) => {
        for (const ws of sockets) ws.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
