// Plays an app that signs by hand with the placeholder keys, for what SDKs will not send on demand: each
// aws-chunked mode, malformed bodies, Expect: 100-continue. Uses @smithy/signature-v4 as the SDKs do.
import { request, type Agent } from 'node:http';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { chunkSignature, credentialScope, deriveSigningKey, NodeSha256, PLACEHOLDER_CREDENTIAL, sha256Hex, trailerSignature, type StreamSigningContext } from '@portcullis/shared';
import type { RawResponse } from './client.js';

export const APP_REGION = 'us-east-1';

export interface AppRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  /** x-amz-content-sha256; default the hash of `body`; `omit` signs the hash without sending it (boto3, non-S3). */
  readonly payload?: string;
  readonly body?: Buffer;
}

/** Signs like an SDK holding the placeholder keys; returns the headers to send (with authorization). */
export async function signAsApp(req: AppRequest, service = 's3', date = new Date()): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: PLACEHOLDER_CREDENTIAL, secretAccessKey: PLACEHOLDER_CREDENTIAL },
    region: APP_REGION,
    service,
    sha256: NodeSha256,
    uriEscapePath: service !== 's3',
    applyChecksum: req.payload !== 'omit',
  });
  const q = req.path.indexOf('?');
  const query = Object.fromEntries(new URLSearchParams(q < 0 ? '' : req.path.slice(q + 1)));
  const headers: Record<string, string> = { ...req.headers, host: '127.0.0.1' };
  if (req.payload !== 'omit') headers['x-amz-content-sha256'] = req.payload ?? sha256Hex(req.body ?? Buffer.alloc(0));
  const signed = await signer.sign(
    new HttpRequest({ method: req.method, hostname: '127.0.0.1', path: q < 0 ? req.path : req.path.slice(0, q), query, headers, body: req.body }),
    { signingDate: date },
  );
  return signed.headers;
}

/** The app's chunk-signing context for headers signAsApp produced. */
export function appContext(headers: Record<string, string>, service = 's3'): StreamSigningContext {
  const amzDate = headers['x-amz-date'] ?? '';
  return {
    signingKey: deriveSigningKey(PLACEHOLDER_CREDENTIAL, amzDate.slice(0, 8), APP_REGION, service),
    amzDate,
    scope: credentialScope(amzDate.slice(0, 8), APP_REGION, service),
    seedSignature: /Signature=([0-9a-f]{64})/.exec(headers.authorization ?? '')?.[1] ?? '',
  };
}

/** An aws-chunked body of `chunks` (plus the final empty chunk), signed with `ctx` unless undefined. */
export function chunkedBody(chunks: readonly Buffer[], ctx: StreamSigningContext | undefined, trailer?: string): Buffer {
  const parts: Buffer[] = [];
  let previous = ctx?.seedSignature ?? '';
  for (const chunk of [...chunks, Buffer.alloc(0)]) {
    const ext = ctx ? `;chunk-signature=${(previous = chunkSignature(ctx, previous, sha256Hex(chunk)))}` : '';
    parts.push(Buffer.from(`${chunk.length.toString(16)}${ext}\r\n`), chunk);
    if (chunk.length > 0) parts.push(Buffer.from('\r\n'));
  }
  if (trailer === undefined) parts.push(Buffer.from('\r\n'));
  else if (!ctx) parts.push(Buffer.from(`${trailer}\r\n\r\n`));
  else {
    const [name = '', value = ''] = trailer.split(':');
    const signature = trailerSignature(ctx, previous, sha256Hex(`${name.toLowerCase()}:${value.trim()}\n`));
    parts.push(Buffer.from(`${trailer}\r\nx-amz-trailer-signature:${signature}\r\n\r\n`));
  }
  return Buffer.concat(parts);
}

/** Sends a request with a Buffer body, resolving with the answer. */
export function sendRaw(url: string, req: { method: string; path: string; headers: Record<string, string>; body?: Buffer; agent?: Agent }): Promise<RawResponse> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const r = request({ host: u.hostname, port: u.port, method: req.method, path: req.path, headers: req.headers, ...(req.agent ? { agent: req.agent } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    r.on('error', reject);
    r.end(req.body);
  });
}
