import type { IncomingHttpHeaders } from 'node:http';
import { PortcullisError } from '@portcullis/shared';

/** The comma-separated tokens of a header, lower-cased, across repeated fields. */
export function headerTokens(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const text = Array.isArray(value) ? value.join(',') : value;
  const tokens: string[] = [];
  for (const part of text.split(',')) {
    const token = part.trim().toLowerCase();
    if (token) tokens.push(token);
  }
  return tokens;
}

/** A Sec-WebSocket-Key is 16 random bytes in base64 (RFC 6455 §4.1): 22 characters and `==`. */
const KEY = /^[A-Za-z0-9+/]{22}==$/;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Why `Upgrade` names something other than exactly `websocket`, or undefined. */
function protocolError(value: string | string[] | undefined): PortcullisError | undefined {
  const upgrade = headerTokens(value);
  if (upgrade.length === 1 && upgrade[0] === 'websocket') return undefined;
  if (upgrade.includes('h2c')) {
    return new PortcullisError(
      'UPGRADE_NOT_SUPPORTED',
      'Upgrade: h2c (HTTP/2 over cleartext) is not proxied: the sidecar speaks HTTP/1.1 to the app; send the request without the Upgrade and HTTP2-Settings headers',
    );
  }
  return new PortcullisError('UPGRADE_NOT_SUPPORTED', `Upgrade: "${(single(value) ?? '').slice(0, 64)}" is not proxied; the only protocol the sidecar switches to is websocket`);
}

/** What RFC 6455 §4.1 asks of the opening handshake besides `Upgrade`, or undefined. */
function handshakeProblem(method: string, headers: IncomingHttpHeaders): string | undefined {
  if (method !== 'GET') return `a WebSocket opening handshake is a GET request, not ${method.slice(0, 16)} (RFC 6455 §4.1)`;
  if (!headerTokens(headers.connection).includes('upgrade')) return 'a WebSocket opening handshake needs "Connection: Upgrade" (RFC 6455 §4.1)';
  const version = single(headers['sec-websocket-version'])?.trim();
  if (version !== '13') return `Sec-WebSocket-Version must be 13, not "${(version ?? '').slice(0, 16)}" (RFC 6455 §4.1)`;
  const key = single(headers['sec-websocket-key'])?.trim();
  if (key === undefined || !KEY.test(key)) return 'Sec-WebSocket-Key must be one base64-encoded 16-byte value (RFC 6455 §4.1)';
  const length = single(headers['content-length'])?.trim();
  if (headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')) {
    return 'a WebSocket opening handshake carries no body; send it without Content-Length or Transfer-Encoding';
  }
  return undefined;
}

/**
 * Whether a request that asks to switch protocols is a WebSocket opening handshake the sidecar may carry
 * (RFC 6455 §4.1, §4.2.1): undefined when it is, else the error the app is answered with.
 * - `Upgrade` must be exactly `websocket`: `h2c` (HTTP/2 over cleartext) and every other protocol are
 *   refused with UPGRADE_NOT_SUPPORTED rather than tunnelled unchecked.
 * - A GET with `Connection: Upgrade`, `Sec-WebSocket-Version: 13` and one well-formed `Sec-WebSocket-Key`.
 * - No body: bytes after the head belong to the tunnel, so a body the upstream might read as one would
 *   let the app smuggle bytes past the checks (WEBSOCKET_HANDSHAKE_INVALID).
 * Pure: headers as Node's parser gave them (lower-case names, repeated unknown fields joined with ", ").
 */
export function checkUpgradeRequest(method: string, headers: IncomingHttpHeaders): PortcullisError | undefined {
  const protocol = protocolError(headers.upgrade);
  if (protocol) return protocol;
  const problem = handshakeProblem(method, headers);
  return problem === undefined ? undefined : new PortcullisError('WEBSOCKET_HANDSHAKE_INVALID', problem);
}

/**
 * Whether the upstream's 101 agreed to exactly what was asked: `Upgrade: websocket` and `Connection:
 * Upgrade`. Anything else means the bytes that follow are not the protocol the app asked for.
 */
export function upstreamAgreed(headers: IncomingHttpHeaders): boolean {
  const upgrade = headerTokens(headers.upgrade);
  return upgrade.length === 1 && upgrade[0] === 'websocket' && headerTokens(headers.connection).includes('upgrade');
}
