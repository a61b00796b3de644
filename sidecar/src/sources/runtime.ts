import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
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
}

/** The request to send upstream; the body is the app's, streamed (through `transform` if set). */
export interface Outgoing {
  readonly path: string;
  readonly headers: OutgoingHttpHeaders;
  readonly transform?: NodeJS.ReadWriteStream;
}

/**
 * One CredentialSource, ready to serve: the pipeline calls classify → (policy) → prepare → forward.
 * AWS plugs in as another implementation; the pipeline itself does not know the provider.
 */
export interface SourceRuntime {
  readonly name: string;
  readonly port: number;
  readonly upstream: URL;
  readonly agent: HttpAgent | HttpsAgent;
  /** Equal keys mean equal configuration, so the runtime (credential watcher, agent) can be kept. */
  readonly configKey: string;
  classify(req: IncomingMessage, rawPath: string, rawQuery: string): Classified;
  prepare(req: IncomingMessage, classified: Classified, rawQuery: string): Promise<Outgoing> | Outgoing;
  /** Writes a denial or failure in the shape the app's SDK understands. */
  reject(res: ServerResponse, err: PortcullisError, requestId: string, decision: Decision | undefined): void;
  close(): void;
}
