import { STATUS_CODES, type OutgoingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { PortcullisError } from '@portcullis/shared';
import type { Answer } from '../sources/runtime.js';

/** A header value that could end the head early or start a second one is never written. */
const UNSAFE = /[\r\n\0]/;

/**
 * The head of an HTTP/1.1 response as text: status line, each header (repeated for array values), blank
 * line. Throws a TypeError on a name or value holding CR, LF or NUL. Pure.
 */
export function responseHead(status: number, headers: OutgoingHttpHeaders): string {
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [String(value)];
    for (const v of values) {
      if (UNSAFE.test(name) || UNSAFE.test(v)) throw new TypeError(`header ${JSON.stringify(name.slice(0, 64))} holds a line break`);
      head += `${name}: ${v}\r\n`;
    }
  }
  return `${head}\r\n`;
}

/**
 * The answer to a refused upgrade, written straight to its socket (node:http hands an upgrade request to
 * its `upgrade` listener with the socket and no ServerResponse). The source's `reject` writes through it
 * as through a ServerResponse, so a refused upgrade gets the source's own error shape. Every answer
 * closes the connection.
 */
export class SocketAnswer implements Answer {
  private sent = false;
  private readonly pending: OutgoingHttpHeaders = {};

  constructor(private readonly socket: Duplex) {}

  get headersSent(): boolean {
    return this.sent;
  }

  setHeader(name: string, value: string): void {
    this.pending[name.toLowerCase()] = value;
  }

  writeHead(status: number, headers: OutgoingHttpHeaders): void {
    if (this.sent) throw new PortcullisError('INTERNAL', 'the answer to this upgrade was already started');
    const all: OutgoingHttpHeaders = { ...this.pending };
    for (const name in headers) all[name.toLowerCase()] = headers[name];
    all.connection = 'close';
    this.sent = true;
    this.socket.write(responseHead(status, all));
  }

  end(body: string): void {
    this.socket.end(body);
  }

  destroy(err?: Error): void {
    this.socket.destroy(err);
  }
}
