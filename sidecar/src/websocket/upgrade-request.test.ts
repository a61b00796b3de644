import { describe, expect, it } from '@jest/globals';
import type { IncomingHttpHeaders } from 'node:http';
import { checkUpgradeRequest, headerTokens, upstreamAgreed } from './upgrade-request.js';

const HANDSHAKE: IncomingHttpHeaders = {
  connection: 'Upgrade',
  upgrade: 'websocket',
  'sec-websocket-version': '13',
  'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
};
const codeOf = (method: string, headers: IncomingHttpHeaders): string | undefined => checkUpgradeRequest(method, headers)?.code;

describe('checkUpgradeRequest', () => {
  it('accepts the RFC 6455 example handshake, whatever the case of the tokens', () => {
    expect(checkUpgradeRequest('GET', HANDSHAKE)).toBeUndefined();
    expect(checkUpgradeRequest('GET', { ...HANDSHAKE, connection: 'keep-alive, Upgrade', upgrade: 'WebSocket' })).toBeUndefined();
    expect(checkUpgradeRequest('GET', { ...HANDSHAKE, 'content-length': '0' })).toBeUndefined();
  });

  it('refuses h2c with UPGRADE_NOT_SUPPORTED, saying what to send instead', () => {
    const err = checkUpgradeRequest('GET', { connection: 'Upgrade, HTTP2-Settings', upgrade: 'h2c', 'http2-settings': 'AAMAAABkAARAAAAAAAIAAAAA' });
    expect(err?.code).toBe('UPGRADE_NOT_SUPPORTED');
    expect(err?.message).toContain('without the Upgrade and HTTP2-Settings headers');
  });

  it.each([['tls/1.2'], ['websocket, h2c'], ['h2c, websocket'], ['websocket/2'], ['']])('refuses Upgrade: %p: only exactly websocket is switched to', (upgrade) => {
    expect(codeOf('GET', { ...HANDSHAKE, upgrade })).toBe('UPGRADE_NOT_SUPPORTED');
  });

  it.each([
    ['a POST', 'POST', {}],
    ['no Connection: Upgrade', 'GET', { connection: 'keep-alive' }],
    ['version 8', 'GET', { 'sec-websocket-version': '8' }],
    ['two versions', 'GET', { 'sec-websocket-version': '13, 13' }],
    ['no key', 'GET', { 'sec-websocket-key': undefined }],
    ['two keys (joined by the parser)', 'GET', { 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==, dGhlIHNhbXBsZSBub25jZQ==' }],
    ['a key of 15 bytes', 'GET', { 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ=' }],
    ['a Content-Length body (bytes that would be smuggled into the tunnel)', 'GET', { 'content-length': '5' }],
    ['a chunked body', 'GET', { 'transfer-encoding': 'chunked' }],
  ] as const)('refuses %s with WEBSOCKET_HANDSHAKE_INVALID', (_name, method, change) => {
    expect(codeOf(method, { ...HANDSHAKE, ...change })).toBe('WEBSOCKET_HANDSHAKE_INVALID');
  });
});

describe('upstreamAgreed', () => {
  it('holds only for a 101 that switched to websocket', () => {
    expect(upstreamAgreed({ connection: 'Upgrade', upgrade: 'websocket' })).toBe(true);
    expect(upstreamAgreed({ connection: 'Upgrade', upgrade: 'h2c' })).toBe(false);
    expect(upstreamAgreed({ upgrade: 'websocket' })).toBe(false);
  });
});

describe('headerTokens', () => {
  it('splits, trims and lower-cases across repeated fields', () => {
    expect(headerTokens(['Keep-Alive, Upgrade', ' x '])).toEqual(['keep-alive', 'upgrade', 'x']);
    expect(headerTokens(undefined)).toEqual([]);
  });
});
