import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { PortcullisError, RequestItem } from '@portcullis/shared';
import type { Decision } from '../deps.js';

/** What a provider makes of an incoming request, for the policy and the audit line. */
export interface Classified {
  /** Normalized path: authorized, audited and (for http sources) forwarded. */
  readonly path: string;
  readonly items: readonly RequestItem[];
  /** The query for the audit line, with secret values redacted. */
  readonly auditQuery: string;
  /** Provider-specific audit fields (AWS: service, region, action, resources, session). */
  readonly audit?: Readonly<Record<string, unknown>>;
  /** The host the call goes to when it is not the source's `upstream` (AWS: per service and region). */
  readonly upstreamHost?: string;
}

/** The request to send upstream; the body is the app's, streamed (through `transform` if set). */
export interface Outgoing {
  readonly path: string;
  readonly headers: OutgoingHttpHeaders;
  readonly transform?: NodeJS.ReadWriteStream;
  /** Where this request goes when not to `source.upstream` (origin only; AWS picks it per request). */
  readonly target?: URL;
  /** The body, when the provider already read it (small AWS bodies it had to classify or hash). */
  readonly body?: Buffer;
}

/**
 * Where `reject` writes its answer: the request's ServerResponse, or the raw socket of a refused WebSocket
 * upgrade (websocket/socket-answer.ts), which has no ServerResponse.
 */
export interface Answer {
  readonly headersSent: boolean;
  setHeader(name: string, value: string): unknown;
  writeHead(status: number, headers: OutgoingHttpHeaders): unknown;
  end(body: string): unknown;
  destroy(err?: Error): unknown;
}

/** What `reject` may use to shape the error: the request and what classify made of it, if it got that far. */
export interface RejectContext {
  readonly requestId: string;
  /** When the request arrived (provider error bodies that carry a time use it). */
  readonly time: Date;
  readonly decision: Decision | undefined;
  readonly classified: Classified | undefined;
  readonly req: IncomingMessage;
}

/**
 * One CredentialSource, ready to serve: the pipeline calls classify → (policy) → prepare → forward.
 * AWS plugs in as another implementation; the pipeline itself does not know the provider.
 */
export interface SourceRuntime {
  readonly name: string;
  readonly port: number;
  /** The default upstream; `Outgoing.target` overrides it per request. */
  readonly upstream: URL;
  /** True when the source carries WebSocket upgrades (http sources; AWS sources refuse them, ADR 34). */
  readonly websocket?: boolean;
  /** False when the source reads request bodies itself (AWS): the budget gate then sizes calls without it. */
  readonly readsBody?: boolean;
  /** Connection pool for every target of this source (Node pools per host inside one agent). */
  readonly agent: HttpAgent | HttpsAgent;
  /** Equal keys mean equal configuration, so the runtime (credential watcher, agent) can be kept. */
  readonly configKey: string;
  /** Synchronous for http sources; AWS returns a promise when it must read a small body first. */
  classify(req: IncomingMessage, rawPath: string, rawQuery: string): Promise<Classified> | Classified;
  prepare(req: IncomingMessage, classified: Classified, rawQuery: string): Promise<Outgoing> | Outgoing;
  /** Why this source's credential cannot be used right now (for /readyz); undefined when it can. */
  credentialProblem?(): string | undefined;
  /** Writes a denial or failure in the shape the app's SDK understands. */
  reject(res: Answer, err: PortcullisError, ctx: RejectContext): void;
  close(): void;
}
