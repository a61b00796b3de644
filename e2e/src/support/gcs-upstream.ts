// A subset of the Cloud Storage JSON API (no real GCS, nor an emulator that checks credentials, can run
// here): multipart upload, object metadata and media download, listing. Like Google it accepts a call only
// with a Bearer access token that Google issued (here: the Google stand-in, looked up with its
// accessToken()), unexpired, with a scope that covers Cloud Storage, and it answers refusals in Google's
// JSON error shape; it records who each call ran as.
import { createHash } from 'node:crypto';
import { crc32c } from '@aws-crypto/crc32c';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { KeyPair } from '@portcullis/shared/pki';
import type { IssuedToken } from '@portcullis/sidecar/testing';

export interface GcsCall {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** Who the token stands for (serviceAccount:<email> or a federated principal), when it was valid. */
  readonly principal: string | undefined;
}

export interface GcsUpstream {
  /** https://127.0.0.1:<port>: the source's upstream (as https://storage.googleapis.com). */
  readonly url: string;
  readonly calls: GcsCall[];
  close(): Promise<void>;
}

const STORAGE_SCOPES = new Set([
  'https://www.googleapis.com/auth/cloud-platform',
  'https://www.googleapis.com/auth/devstorage.full_control',
  'https://www.googleapis.com/auth/devstorage.read_write',
  'https://www.googleapis.com/auth/devstorage.read_only',
]);

interface StoredObject {
  readonly data: Buffer;
  readonly contentType: string;
  readonly updated: string;
  readonly generation: string;
}

/** Cloud Storage's hashes: base64 of the MD5 digest, base64 of the big-endian CRC32C (computed here with @aws-crypto, not the client's own code). */
const md5Of = (data: Buffer): string => createHash('md5').update(data).digest('base64');
function crc32cOf(data: Buffer): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc32c(data) >>> 0);
  return b.toString('base64');
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) }).end(text);
}

function refuse(res: ServerResponse, status: number, reason: string, message: string): void {
  const rpc: Record<number, string> = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND' };
  answer(res, status, { error: { code: status, message, errors: [{ message, domain: 'global', reason }], status: rpc[status] } });
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The parts of a multipart/related body: the JSON metadata, then the media. */
function multipartParts(body: Buffer, contentType: string): { metadata: Record<string, unknown>; media: Buffer; mediaType: string } | undefined {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (!boundary) return undefined;
  const text = body.toString('latin1');
  const parts = text.split(`--${boundary}`).slice(1, -1).map((p) => p.replace(/^\r\n/, '').replace(/\r\n$/, ''));
  const parsed = parts.map((p) => {
    const end = p.indexOf('\r\n\r\n');
    const head = p.slice(0, end);
    return { type: /content-type:\s*([^\r\n]+)/i.exec(head)?.[1] ?? 'application/octet-stream', body: Buffer.from(p.slice(end + 4), 'latin1') };
  });
  const [meta, media] = parsed;
  if (!meta || !media) return undefined;
  return { metadata: JSON.parse(meta.body.toString('utf8')) as Record<string, unknown>, media: media.body, mediaType: media.type };
}

export async function startGcsUpstream(pki: { leaf: KeyPair }, tokenOf: (token: string) => IssuedToken | undefined): Promise<GcsUpstream> {
  const calls: GcsCall[] = [];
  const buckets = new Map<string, Map<string, StoredObject>>();
  let generation = 1;

  const resource = (bucket: string, name: string, o: StoredObject): Record<string, unknown> => ({
    kind: 'storage#object', id: `${bucket}/${name}/${o.generation}`, name, bucket, generation: o.generation, metageneration: '1',
    contentType: o.contentType, size: String(o.data.length), md5Hash: md5Of(o.data), crc32c: crc32cOf(o.data), updated: o.updated, timeCreated: o.updated,
  });

  async function upload(req: IncomingMessage, res: ServerResponse, url: URL, bucket: string): Promise<number> {
    if (url.searchParams.get('uploadType') !== 'multipart') return (refuse(res, 400, 'invalid', 'only uploadType=multipart is served here'), 400);
    const parts = multipartParts(await readBody(req), req.headers['content-type'] ?? '');
    const name = url.searchParams.get('name') ?? (typeof parts?.metadata.name === 'string' ? parts.metadata.name : undefined);
    if (!parts || !name) return (refuse(res, 400, 'invalid', 'a multipart body with metadata and media is required'), 400);
    const objects = buckets.get(bucket) ?? new Map<string, StoredObject>();
    buckets.set(bucket, objects);
    const contentType = typeof parts.metadata.contentType === 'string' ? parts.metadata.contentType : parts.mediaType;
    const o = { data: parts.media, contentType, updated: new Date().toISOString(), generation: String(generation++) };
    objects.set(name, o);
    answer(res, 200, resource(bucket, name, o));
    return 200;
  }

  function read(res: ServerResponse, url: URL, bucket: string, name: string): number {
    const o = buckets.get(bucket)?.get(name);
    if (!o) return (refuse(res, 404, 'notFound', `No such object: ${bucket}/${name}`), 404);
    if (url.searchParams.get('alt') !== 'media') return (answer(res, 200, resource(bucket, name, o)), 200);
    res.writeHead(200, { 'content-type': o.contentType, 'content-length': o.data.length, 'x-goog-hash': `crc32c=${crc32cOf(o.data)},md5=${md5Of(o.data)}`, 'x-goog-generation': o.generation });
    res.end(o.data);
    return 200;
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<number> {
    const path = url.pathname;
    const up = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(path);
    if (req.method === 'POST' && up) return upload(req, res, url, decodeURIComponent(up[1] ?? ''));
    const object = /^\/storage\/v1\/b\/([^/]+)\/o\/(.+)$/.exec(path);
    if (req.method === 'GET' && object) return read(res, url, decodeURIComponent(object[1] ?? ''), decodeURIComponent(object[2] ?? ''));
    const list = /^\/storage\/v1\/b\/([^/]+)\/o$/.exec(path);
    if (req.method === 'GET' && list) {
      const bucket = decodeURIComponent(list[1] ?? '');
      answer(res, 200, { kind: 'storage#objects', items: [...(buckets.get(bucket) ?? new Map<string, StoredObject>())].map(([name, o]) => resource(bucket, name, o)) });
      return 200;
    }
    refuse(res, 404, 'notFound', `${req.method ?? ''} ${path} is not served by this stand-in`);
    return 404;
  }

  const server: Server = createServer({ cert: pki.leaf.certPem, key: pki.leaf.keyPem }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://storage.googleapis.com');
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer === undefined ? undefined : tokenOf(bearer);
    const record = (status: number): void => void calls.push({ method: req.method ?? '', path: url.pathname, status, principal: token?.principal });
    if (!token) {
      req.resume();
      refuse(res, 401, 'authError', 'Invalid Credentials');
      return record(401);
    }
    if (!token.scopes.some((s) => STORAGE_SCOPES.has(s))) {
      req.resume();
      refuse(res, 403, 'insufficientPermissions', 'Request had insufficient authentication scopes.');
      return record(403);
    }
    route(req, res, url).then(record, (err: unknown) => {
      refuse(res, 400, 'invalid', String(err));
      record(400);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
