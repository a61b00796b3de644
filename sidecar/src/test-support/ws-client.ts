// The app's side of a WebSocket through the sidecar, with the `ws` library: opens a connection and reports
// either the open socket or the HTTP answer that refused the upgrade.
import type { IncomingHttpHeaders } from 'node:http';
import WebSocket, { type ClientOptions } from 'ws';

export type WsOpen =
  | { readonly kind: 'open'; readonly ws: WebSocket; readonly headers: IncomingHttpHeaders }
  | { readonly kind: 'refused'; readonly status: number; readonly headers: IncomingHttpHeaders; readonly body: string };

export function openWs(url: string, options: ClientOptions = {}): Promise<WsOpen> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.once('upgrade', (res) => {
      ws.once('open', () => resolve({ kind: 'open', ws, headers: res.headers }));
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ kind: 'refused', status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    ws.once('error', reject);
  });
}

/** Opens and expects the upgrade to succeed. */
export async function openedWs(url: string, options: ClientOptions = {}): Promise<{ ws: WebSocket; headers: IncomingHttpHeaders }> {
  const r = await openWs(url, options);
  if (r.kind !== 'open') throw new Error(`upgrade refused: ${r.status} ${r.body}`);
  return r;
}

/** The next message (as text) the socket receives. */
export function nextMessage(ws: WebSocket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    ws.once('message', (data: Buffer) => resolve(data));
    ws.once('close', (code) => reject(new Error(`closed (${code}) before a message arrived`)));
  });
}

/** Resolves with the close code and reason once the socket closed. */
export function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve({ code: -1, reason: 'already closed' });
  return new Promise((resolve) => ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));
}
