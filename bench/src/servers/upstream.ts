// The upstream every variant calls, run as its own process (pinned beside the load generator). Like the
// project's test upstreams it checks the credential it receives: the bearer key, or a SigV4 signature made
// with the real AWS key (verified with @smithy/signature-v4). A request without the real credential gets
// 401/403, and the bench counts those as errors, so no variant can look fast by skipping the injection.
//
//   GET  /bytes/<n>        n response bytes (bearer)
//   PUT  /sink/<name>      reads the body, answers {"bytes": n} (bearer)
//   GET  /sse?events=&intervalMs=   server-sent events carrying their send time (bearer)
//   POST /  X-Amz-Target DynamoDB_20120810.GetItem | BatchGetItem   1 KiB | 16 KiB JSON (SigV4)
//   PUT  /bench/<key>      S3 PutObject, aws-chunked or not: seed signature checked, body counted (SigV4);
//                          an aws-chunked body also gets a verdict on its chunk signatures (verify-chunks.ts):
//                          {"bytes": n, "chunkSignatures": {...}}. The answer is 200 either way (S3 would
//                          refuse a bad chunk): the verdict is recorded beside the throughput, not instead of it.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sha256Hex, verifySigned, type AwsKeys } from '../sigv4/sign.ts';
import { ChunkSignatureChecker, chainStartOf } from '../sigv4/verify-chunks.ts';

interface UpstreamConfig {
  readonly bearerKey: string;
  readonly aws: AwsKeys;
}

const config = JSON.parse(process.argv[2] ?? '{}') as UpstreamConfig;
const bearer = `Bearer ${config.bearerKey}`;
const KiB = 1024;
const payloads = new Map<number, Buffer>();
function payload(n: number): Buffer {
  let b = payloads.get(n);
  if (!b) {
    b = Buffer.alloc(n, 0x61);
    if (payloads.size < 64) payloads.set(n, b);
  }
  return b;
}
/** A GetItem-shaped JSON document of exactly n bytes. */
function jsonPayload(n: number): Buffer {
  const head = '{"Item":{"pk":{"S":"item-1"},"v":{"S":"';
  const tail = '"}}}';
  return Buffer.from(head + 'x'.repeat(n - head.length - tail.length) + tail);
}
const GET_ITEM = jsonPayload(KiB);
const BATCH_GET_ITEM = jsonPayload(16 * KiB);

function deny(res: ServerResponse, status: number, why: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ message: why }));
}

// Verifying one SigV4 signature costs ~100 µs here; identical signed inputs verify identically, so a
// bounded memo keeps the upstream from becoming the bottleneck (the sidecar signs anew every second).
const verified = new Map<string, boolean>();

/** Everything the signature covers: method, URL, the Authorization (signature included), the signed headers' values, the payload. */
function memoKey(req: IncomingMessage, payloadHash: string): string {
  const auth = req.headers.authorization ?? '';
  let key = `${req.method ?? ''} ${req.url ?? ''}\n${auth}\n${payloadHash}`;
  const signed = /SignedHeaders=([^,]+)/.exec(auth)?.[1] ?? '';
  for (const name of signed.split(';')) key += `\n${String(req.headers[name])}`;
  return key;
}

async function sigv4Ok(req: IncomingMessage, payloadHash: string): Promise<string | undefined> {
  const memo = memoKey(req, payloadHash);
  const hit = verified.get(memo);
  if (hit === true) return undefined;
  const v = await verifySigned(config.aws, { method: req.method ?? '', url: req.url ?? '', headers: req.headers }, payloadHash);
  if (verified.size > 4096) verified.clear();
  verified.set(memo, v.ok);
  return v.ok ? undefined : v.reason;
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

function countBody(req: IncomingMessage, res: ServerResponse): void {
  let bytes = 0;
  req.on('data', (c: Buffer) => (bytes += c.length));
  req.on('end', () => {
    const text = JSON.stringify({ bytes });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
  });
}

/** Counts an aws-chunked body and checks its chunk signatures against the real key. */
function countChunked(req: IncomingMessage, res: ServerResponse): void {
  const start = chainStartOf(config.aws, req.headers);
  const checker = typeof start === 'string' ? undefined : new ChunkSignatureChecker(start);
  let bytes = 0;
  req.on('data', (c: Buffer) => {
    bytes += c.length;
    checker?.push(c);
  });
  req.on('end', () => {
    const chunkSignatures = checker ? checker.finish() : { verdict: 'malformed', detail: start as string };
    const text = JSON.stringify({ bytes, chunkSignatures });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
  });
}

function sse(req: IncomingMessage, res: ServerResponse): void {
  const q = new URL(req.url ?? '/', 'http://x').searchParams;
  const events = Math.min(1000, Number(q.get('events') ?? 10));
  const intervalMs = Math.min(1000, Number(q.get('intervalMs') ?? 20));
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  let sent = 0;
  const tick = (): void => {
    // Wall-clock µs (same clock as the client's performance.timeOrigin + now()).
    const t = performance.timeOrigin * 1000 + performance.now() * 1000;
    res.write(`id: ${sent}\ndata: {"sentUs":${t.toFixed(1)}}\n\n`);
    if (++sent >= events) res.end();
    else timer = setTimeout(tick, intervalMs);
  };
  let timer = setTimeout(tick, intervalMs);
  res.on('close', () => clearTimeout(timer));
}

async function aws(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method === 'PUT') {
    // S3 PutObject: the header (seed) signature covers x-amz-content-sha256 as sent (STREAMING-… or a hash).
    const declared = req.headers['x-amz-content-sha256'];
    const why = await sigv4Ok(req, typeof declared === 'string' ? declared : 'UNSIGNED-PAYLOAD');
    if (why) return void (req.resume(), deny(res, 403, why));
    return /aws-chunked/.test(req.headers['content-encoding'] ?? '') ? countChunked(req, res) : countBody(req, res);
  }
  const body = await readAll(req);
  const why = await sigv4Ok(req, sha256Hex(body));
  if (why) return deny(res, 403, why);
  const target = req.headers['x-amz-target'];
  const out = target === 'DynamoDB_20120810.BatchGetItem' ? BATCH_GET_ITEM : GET_ITEM;
  res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'content-length': out.length }).end(out);
}

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const url = req.url ?? '/';
  if (req.headers.authorization?.startsWith('AWS4-HMAC-SHA256')) {
    aws(req, res).catch((err: unknown) => deny(res, 500, String(err)));
    return;
  }
  if (req.headers.authorization !== bearer) {
    req.resume();
    return deny(res, 401, 'bad credential');
  }
  if (url.startsWith('/bytes/')) {
    const b = payload(Math.min(16 * 1024 * KiB, Number(url.slice(7)) || 0));
    req.resume();
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': b.length }).end(b);
  } else if (url.startsWith('/sink/')) {
    countBody(req, res);
  } else if (url.startsWith('/sse')) {
    req.resume();
    sse(req, res);
  } else {
    req.resume();
    deny(res, 404, 'no route');
  }
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ listening: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
