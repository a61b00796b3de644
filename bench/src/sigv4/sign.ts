// SigV4 for the bench, with @smithy/signature-v4 (what the AWS SDK signs with): the app side signs
// DynamoDB JSON calls with placeholder keys (or the real ones for the direct baseline), and the upstream
// verifies what it receives against the real key. Independent of the sidecar's signing code but for the
// node:crypto hash adapter smithy is given.
import { createHash } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '@portcullis/shared';

export interface AwsKeys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export const REGION = 'us-east-1';
export const TABLE = 'bench';

export type DynamoOperation = 'GetItem' | 'BatchGetItem';

/** The body of a GetItem / BatchGetItem call on the bench table. */
export function dynamoBody(op: DynamoOperation): string {
  const key = { pk: { S: 'item-1' } };
  return op === 'GetItem' ? JSON.stringify({ TableName: TABLE, Key: key }) : JSON.stringify({ RequestItems: { [TABLE]: { Keys: [key] } } });
}

/** Signs a DynamoDB JSON-protocol call to http://127.0.0.1:port/ as the AWS SDK v3 would (no x-amz-content-sha256). */
export async function signDynamo(keys: AwsKeys, port: number, op: DynamoOperation, now: Date): Promise<{ headers: Record<string, string>; body: string }> {
  const body = dynamoBody(op);
  const signer = new SignatureV4({ credentials: keys, region: REGION, service: 'dynamodb', sha256: NodeSha256, applyChecksum: false });
  const request = new HttpRequest({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port,
    path: '/',
    headers: {
      host: `127.0.0.1:${port}`,
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDB_20120810.${op}`,
      'content-length': String(Buffer.byteLength(body)),
    },
    body,
  });
  const signed = await signer.sign(request, { signingDate: now });
  return { headers: signed.headers, body };
}

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

export interface Verification {
  readonly ok: boolean;
  readonly reason: string;
}

function amzDate(text: string | undefined): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text ?? '');
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
}

type Received = { method: string; url: string; headers: Record<string, string | string[] | undefined> };

function queryOf(url: string): Record<string, string | string[]> {
  const q = url.indexOf('?');
  const query: Record<string, string | string[]> = {};
  if (q < 0) return query;
  for (const [k, v] of new URLSearchParams(url.slice(q + 1))) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return query;
}

/** The signed headers as received; a string says which one is missing. */
function signedHeaders(req: Received, names: readonly string[]): Record<string, string> | string {
  const headers: Record<string, string> = {};
  for (const name of names) {
    const v = req.headers[name];
    if (v === undefined) return `signed header ${name} missing`;
    headers[name] = Array.isArray(v) ? v.join(',') : v;
  }
  return headers;
}

/**
 * Checks a received request's header signature against the real key: the access key must be the real one
 * and the signature must be what smithy computes over the signed headers, path, query and payload.
 */
export async function verifySigned(keys: AwsKeys, req: Received, payloadHash: string): Promise<Verification> {
  const auth = req.headers.authorization;
  const m = typeof auth === 'string' ? AUTH.exec(auth) : null;
  if (!m) return { ok: false, reason: 'no SigV4 Authorization header' };
  const [, keyId, , region, service, signedList, signature] = m as unknown as [string, string, string, string, string, string, string];
  if (keyId !== keys.accessKeyId) return { ok: false, reason: `signed with access key ${keyId}, not the real one` };
  const date = amzDate(req.headers['x-amz-date'] as string | undefined);
  if (!date || Math.abs(date.getTime() - Date.now()) > 15 * 60_000) return { ok: false, reason: 'x-amz-date missing or skewed' };
  const names = signedList.split(';');
  const headers = signedHeaders(req, names);
  if (typeof headers === 'string') return { ok: false, reason: headers };
  // smithy takes the payload hash from this header; excluded from the canonical headers unless it was signed.
  const hashSigned = headers['x-amz-content-sha256'] !== undefined;
  headers['x-amz-content-sha256'] ??= payloadHash;
  const signer = new SignatureV4({ credentials: keys, region, service, sha256: NodeSha256, applyChecksum: false, uriEscapePath: service !== 's3' });
  const path = req.url.split('?')[0] ?? '/';
  const request = new HttpRequest({ method: req.method, protocol: 'http:', hostname: '127.0.0.1', path, query: queryOf(req.url), headers });
  const expected = await signer.sign(request, {
    signingDate: date,
    signableHeaders: new Set(names),
    ...(hashSigned ? {} : { unsignableHeaders: new Set(['x-amz-content-sha256']) }),
  });
  const got = /Signature=([0-9a-f]{64})/.exec(String(expected.headers.authorization))?.[1];
  return got === signature ? { ok: true, reason: 'verified' } : { ok: false, reason: 'signature mismatch' };
}

export const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
