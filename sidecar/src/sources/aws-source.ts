import type { Agent as HttpAgent, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import {
  amzJsonVersion,
  AwsProtocolError,
  canonicalS3Path,
  detectProtocol,
  headerValue,
  parseQuery,
  parseSigV4,
  resignRequest,
  SigningKeyCache,
  type AwsClassification,
  type AwsCredentials,
  type AwsProtocol,
  type PortcullisError,
  type ResolvedAwsSource,
} from '@portcullis/shared';
import { createChunkedResigner } from '@portcullis/shared/node-streams';
import { redactQuery } from '../audit/redact-query.js';
import type { Origin } from '../origins/origin.js';
import { CREDENTIAL_HEADERS } from '../http/headers.js';
import { REQUEST_ID_HEADER } from '../http/json-error.js';
import { POOL_OPTIONS, StrictHttpAgent, StrictHttpsAgent } from '../http/pool.js';
import { bodyPlan, readBody } from './aws/body.js';
import { auditOf, classifyCall, itemsOf } from './aws/classify-call.js';
import { EndpointCache } from './aws/endpoint-cache.js';
import { renderDenial, renderFailure } from './aws/error-response.js';
import { viewRequest, type AwsRequestView } from './aws/request-view.js';
import { upstreamTarget, type UpstreamTarget } from './aws/upstream-target.js';
import type { Answer, Classified, Outgoing, RejectContext, SourceRuntime } from './runtime.js';

/** What classify learnt about an AWS call, kept for prepare and reject. */
interface AwsCall {
  readonly view: AwsRequestView;
  readonly classification: AwsClassification;
  readonly upstream: UpstreamTarget;
  readonly body: Buffer | undefined;
  readonly payloadSha256: string | undefined;
}

interface AwsClassified extends Classified {
  readonly call: AwsCall;
}

function isAwsClassified(c: Classified | undefined): c is AwsClassified {
  return c !== undefined && 'call' in c;
}

/**
 * Headers never signed or forwarded besides those the re-signer always drops: Expect (the sidecar answers
 * it itself) and every credential header. The re-signer skips them as it copies the headers once.
 */
const NOT_SIGNED: ReadonlySet<string> = new Set(['expect', ...CREDENTIAL_HEADERS]);

function declaredTrailers(headers: IncomingHttpHeaders): string[] | undefined {
  const raw = headerValue(headers, 'x-amz-trailer');
  return raw === undefined ? undefined : raw.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
}

function decodedLength(headers: IncomingHttpHeaders): number | undefined {
  const raw = headerValue(headers, 'x-amz-decoded-content-length');
  return raw !== undefined && /^\d{1,15}$/.test(raw) ? Number(raw) : undefined;
}

/**
 * An AWS CredentialSource: every AWS API the app calls on the sidecar's port. classify reads the app's
 * SigV4 scope (service, region), resolves the real endpoint and classifies the action and resources;
 * prepare re-signs the request (headers, presigned query or aws-chunked body) with the real credentials.
 */
export class AwsSource implements SourceRuntime {
  readonly name: string;
  readonly port: number;
  /** The endpoint override, or a stand-in: each request's target comes from its scope. */
  readonly upstream: URL;
  readonly readsBody = false;
  readonly agent: HttpAgent | HttpsAgent;
  readonly configKey: string;
  /** Derived signing keys of this source's credentials (one secret at a time, emptied when it changes). */
  private readonly signingKeys = new SigningKeyCache();
  private readonly endpoints: EndpointCache;

  constructor(
    private readonly resolved: ResolvedAwsSource,
    private readonly credentials: Origin<AwsCredentials>,
    configKey: string,
    private readonly now: () => Date,
  ) {
    this.name = resolved.name;
    this.port = resolved.port;
    this.upstream = resolved.endpoint ?? new URL('https://amazonaws.com');
    this.configKey = configKey;
    this.endpoints = new EndpointCache({ override: resolved.endpoint, useFips: resolved.useFips, useDualstack: resolved.useDualstack });
    this.agent = resolved.endpoint?.protocol === 'http:' ? new StrictHttpAgent(POOL_OPTIONS) : new StrictHttpsAgent({ ...POOL_OPTIONS, rejectUnauthorized: true });
  }

  /** The scope names service and region (view), they pick the endpoint (upstream), the call is classified with its small body if it must be read. */
  classify(req: IncomingMessage, rawPath: string, rawQuery: string): Promise<Classified> | Classified {
    const view = viewRequest(rawPath, rawQuery, req.headers, { now: this.now(), sigV2Region: this.resolved.sigV2Region });
    this.refuseUnservedService(view);
    const endpoint = this.endpoints.resolve(view.service, view.region, view.path, view.hostPrefixHint);
    const upstream = upstreamTarget(view.path, endpoint, view.s3, this.resolved.endpoint !== undefined);
    const plan = bodyPlan(view.s3, req.method ?? '', view.query, req.headers);
    if (!plan.read) return this.classified(req, view, upstream, rawQuery, undefined);
    return readBody(req, plan).then((body) => this.classified(req, view, upstream, rawQuery, body));
  }

  /** A source with spec.aws.services forwards only those services (an S3-only role never signs a DynamoDB call). */
  private refuseUnservedService(view: AwsRequestView): void {
    const services = this.resolved.services;
    if (services === undefined) return;
    const service = view.s3 ? 's3' : view.service;
    if (services.has(service)) return;
    throw new AwsProtocolError(
      'AWS_SERVICE_NOT_SERVED',
      `CredentialSource ${this.name} serves only ${[...services].join(', ')}; this call is signed for ${view.service.slice(0, 64)}: send it to the source the app's AWS_ENDPOINT_URL_<SERVICE> names`,
    );
  }

  private classified(req: IncomingMessage, view: AwsRequestView, upstream: UpstreamTarget, rawQuery: string, body: Buffer | undefined): AwsClassified {
    const accountId = this.resolved.credentials.kind === 'webIdentity' ? this.resolved.credentials.accountId : undefined;
    const { classification, payloadSha256 } = classifyCall({ method: req.method ?? '', view, rawQuery: view.query, headers: req.headers, accountId, body });
    return {
      path: view.s3 ? canonicalS3Path(view.path) : view.path,
      items: itemsOf(classification),
      auditQuery: redactQuery(rawQuery, undefined),
      audit: auditOf(classification, view, this.credentials.principal),
      upstreamHost: upstream.endpoint.url.host,
      call: { view, classification, upstream, body, payloadSha256 },
    };
  }

  async prepare(req: IncomingMessage, classified: Classified): Promise<Outgoing> {
    if (!isAwsClassified(classified)) throw new TypeError('AwsSource.prepare needs its own classification');
    const { call } = classified;
    const credentials = await this.credentials.get();
    const signed = resignRequest({
      method: req.method ?? '',
      path: call.upstream.path,
      query: call.view.query,
      headers: req.headers,
      stripHeaders: NOT_SIGNED,
      scope: call.view.scope,
      credentials,
      endpoint: call.upstream.endpoint,
      now: this.now(),
      signingKeys: this.signingKeys,
      ...(call.payloadSha256 === undefined ? {} : { payloadSha256: call.payloadSha256 }),
    });
    const out = { path: signed.target, headers: signed.headers, target: call.upstream.endpoint.url };
    if (call.body !== undefined) return { ...out, body: call.body };
    if (!signed.streaming) return out;
    const length = decodedLength(req.headers);
    const trailers = declaredTrailers(req.headers);
    const transform = createChunkedResigner({
      payload: signed.streaming.payload,
      signer: signed.streaming,
      verifyChecksums: true,
      ...(length === undefined ? {} : { decodedContentLength: length }),
      ...(trailers === undefined ? {} : { declaredTrailers: trailers }),
    });
    return { ...out, transform };
  }

  reject(res: Answer, err: PortcullisError, ctx: RejectContext): void {
    if (res.headersSent) {
      res.destroy(err);
      return;
    }
    const call = isAwsClassified(ctx.classified) ? ctx.classified.call : undefined;
    const headers = ctx.req.headers;
    const input = {
      protocol: call?.classification.protocol ?? this.protocolOf(ctx.req),
      jsonVersion: amzJsonVersion(headerValue(headers, 'content-type')),
      requestId: ctx.requestId,
      method: ctx.req.method ?? '',
    };
    const answer =
      err.code === 'POLICY_DENIED' && ctx.decision && call
        ? renderDenial(ctx.decision, call.classification, input)
        : renderFailure(err, input);
    res.writeHead(answer.status, {
      ...answer.headers,
      'content-length': Buffer.byteLength(answer.body),
      'cache-control': 'no-store',
      [REQUEST_ID_HEADER]: ctx.requestId,
    });
    res.end(answer.body);
  }

  /** The protocol of a request that was not classified, from what can still be read of it. */
  private protocolOf(req: IncomingMessage): AwsProtocol {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    let service = '';
    let hasAction = false;
    try {
      // A SigV2 presigned URL is S3's (its expiry is refused before classification).
      if (headerValue(req.headers, 'authorization') === undefined && parseQuery(rawQuery).some((p) => p.name === 'AWSAccessKeyId')) return 's3';
      service = parseSigV4({ headers: req.headers, query: rawQuery })?.service ?? '';
      hasAction = parseQuery(rawQuery).some((p) => p.name === 'Action');
    } catch {
      // unparsable: decide by headers alone
    }
    return detectProtocol(service, req.headers, hasAction);
  }

  credentialProblem(): string | undefined {
    return this.credentials.problem();
  }

  close(): void {
    this.credentials.close();
    this.agent.destroy();
  }
}
