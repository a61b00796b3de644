// A local stand-in for AWS endpoints in pipeline tests. Like AWS it refuses any request whose SigV4
// signature (and aws-chunked chunk signatures) does not verify under a key it knows, so the placeholder
// key is rejected; and it answers AssumeRoleWithWebIdentity like STS. Tests assert on what arrived.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyChunkedBody, type ChunkedCheck } from './chunk-verify.js';
import { verifySigV4, type KeyPair, type Verdict } from './sigv4-verify.js';

export interface AwsCall {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly verdict: Verdict;
  readonly chunked?: ChunkedCheck;
}

export interface Reply {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

export interface StsIssue {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

export interface AwsUpstream {
  readonly url: string;
  /** Every signed request, verified or not. */
  readonly calls: AwsCall[];
  /** Form parameters of every AssumeRoleWithWebIdentity call. */
  readonly stsCalls: Record<string, string>[];
  close(): Promise<void>;
}

const STREAMING = /^STREAMING-/;

function stsResponse(issue: StsIssue, params: Record<string, string>): string {
  return `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>
<Credentials><AccessKeyId>${issue.accessKeyId}</AccessKeyId><SecretAccessKey>${issue.secretAccessKey}</SecretAccessKey><SessionToken>${issue.sessionToken}</SessionToken><Expiration>${issue.expiration.toISOString()}</Expiration></Credentials>
<AssumedRoleUser><Arn>${params.RoleArn ?? ''}/${params.RoleSessionName ?? ''}</Arn><AssumedRoleId>AROA:${params.RoleSessionName ?? ''}</AssumedRoleId></AssumedRoleUser>
<SubjectFromWebIdentityToken>system:serviceaccount:team-a:agent</SubjectFromWebIdentityToken></AssumeRoleWithWebIdentityResult>
<ResponseMetadata><RequestId>sts-1</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`;
}

function denied(code: string, reason: string): Reply {
  return { status: 403, headers: { 'content-type': 'application/xml' }, body: `<Error><Code>${code}</Code><Message>${reason.replace(/[<&]/g, ' ')}</Message></Error>` };
}

/**
 * Starts the fake on 127.0.0.1:0 (plain HTTP: aws sources reach it with allowPlaintextEndpoint). Requests
 * that verify are answered by `respond`; the others get 403 and are still recorded.
 */
export async function startAwsUpstream(opts: {
  keys: ReadonlyMap<string, KeyPair>;
  sts?: StsIssue;
  respond: (call: AwsCall) => Reply;
}): Promise<AwsUpstream> {
  const calls: AwsCall[] = [];
  const stsCalls: Record<string, string>[] = [];
  /** Verifies a signed request like AWS would, records it, and answers. */
  const signed = (method: string, url: string, headers: IncomingHttpHeaders, body: Buffer): Reply => {
    const sent = headers['x-amz-content-sha256'];
    const payload = typeof sent === 'string' ? sent : '';
    const streaming = STREAMING.test(payload);
    const verdict = verifySigV4(method, url, headers, streaming ? undefined : body, opts.keys);
    const chunked = verdict.ok && streaming ? verifyChunkedBody(body, verdict.request, payload !== 'STREAMING-UNSIGNED-PAYLOAD-TRAILER') : undefined;
    const call: AwsCall = { method, url, headers, body: chunked?.data ?? body, verdict, ...(chunked ? { chunked } : {}) };
    calls.push(call);
    if (!verdict.ok) return denied(verdict.code, verdict.reason);
    if (chunked && !chunked.ok) return denied('SignatureDoesNotMatch', chunked.reason ?? 'chunk');
    return opts.respond(call);
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const method = req.method ?? '';
      const form = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
      let reply: Reply;
      if (opts.sts && method === 'POST' && form.Action === 'AssumeRoleWithWebIdentity' && req.headers.authorization === undefined) {
        stsCalls.push(form);
        reply = { headers: { 'content-type': 'text/xml' }, body: stsResponse(opts.sts, form) };
      } else {
        reply = signed(method, req.url ?? '', req.headers, body);
      }
      const text = reply.body ?? '';
      res.writeHead(reply.status ?? 200, { 'content-length': Buffer.byteLength(text), ...reply.headers }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    stsCalls,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
