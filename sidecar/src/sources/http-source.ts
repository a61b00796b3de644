import type { Agent as HttpAgent, IncomingMessage } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { rootCertificates } from 'node:tls';
import { normalizePath, type HttpErrorShape, type PortcullisError, type ResolvedHttpSource } from '@portcullis/shared';
import { redactQuery } from '../audit/redact-query.js';
import { compileInjection, type CompiledInjection } from '../inject/http-injection.js';
import type { Origin } from '../origins/origin.js';
import { forwardRequestHeaders } from '../http/headers.js';
import { POOL_OPTIONS, StrictHttpAgent, StrictHttpsAgent } from '../http/pool.js';
import { writeAzureStorageError } from '../http/azure-storage-error.js';
import { writeGoogleJsonError } from '../http/google-json-error.js';
import { writeJsonError } from '../http/json-error.js';
import type { Answer, Classified, Outgoing, RejectContext, SourceRuntime } from './runtime.js';

const NO_ITEMS: readonly never[] = [];

function agentFor(resolved: ResolvedHttpSource): HttpAgent | HttpsAgent {
  if (resolved.upstream.protocol === 'http:') return new StrictHttpAgent(POOL_OPTIONS);
  // A caBundle adds to the system roots; verification is never switched off.
  const ca = resolved.caBundle ? [...rootCertificates, resolved.caBundle] : undefined;
  return new StrictHttpsAgent({ ...POOL_OPTIONS, ...(ca ? { ca } : {}), rejectUnauthorized: true });
}

/** A key/token API (OpenAI, GitHub, …): path policy, credential from a Secret file, header or query injection. */
export class HttpSource implements SourceRuntime {
  readonly name: string;
  readonly port: number;
  readonly upstream: URL;
  readonly agent: HttpAgent | HttpsAgent;
  readonly configKey: string;
  /** The upgrade request carries the injected credential like any request (websocket/upgrade-handler.ts). */
  readonly websocket = true;
  private readonly injection: CompiledInjection;
  private readonly basePath: string;
  private readonly errorShape: HttpErrorShape;

  constructor(
    resolved: ResolvedHttpSource,
    private readonly origin: Origin<string>,
    configKey: string,
  ) {
    this.name = resolved.name;
    this.port = resolved.port;
    this.upstream = resolved.upstream;
    this.configKey = configKey;
    this.injection = compileInjection(resolved.injection);
    this.agent = agentFor(resolved);
    this.basePath = resolved.upstream.pathname.replace(/\/+$/, '');
    this.errorShape = resolved.errorShape;
  }

  classify(_req: IncomingMessage, rawPath: string, rawQuery: string): Classified {
    return {
      path: normalizePath(rawPath),
      items: NO_ITEMS,
      auditQuery: redactQuery(rawQuery, this.injection.queryParameter),
    };
  }

  prepare(req: IncomingMessage, classified: Classified, rawQuery: string): Promise<Outgoing> | Outgoing {
    const secret = this.origin.get();
    if (typeof secret === 'string') return this.outgoing(req, classified, rawQuery, secret);
    return secret.then((value) => this.outgoing(req, classified, rawQuery, value));
  }

  private outgoing(req: IncomingMessage, classified: Classified, rawQuery: string, secret: string): Outgoing {
    const headers = forwardRequestHeaders(req.headers, this.injection.stripHeaders);
    headers.host = this.upstream.host;
    this.injection.apply(headers, secret);
    const query = this.injection.query(rawQuery, secret);
    return { path: `${this.basePath}${classified.path}${query ? `?${query}` : ''}`, headers };
  }

  credentialProblem(): string | undefined {
    return this.origin.problem();
  }

  reject(res: Answer, err: PortcullisError, ctx: RejectContext): void {
    if (this.errorShape === 'azure-storage') writeAzureStorageError(res, err, ctx.requestId, ctx.time);
    else if (this.errorShape === 'google') writeGoogleJsonError(res, err, ctx.requestId);
    else writeJsonError(res, err, ctx.requestId);
  }

  close(): void {
    this.origin.close();
    this.agent.destroy();
  }
}

export function httpSourceKey(resolved: ResolvedHttpSource, secretPath: string): string {
  return JSON.stringify({ ...resolved, upstream: resolved.upstream.href, secretPath });
}
