import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { PortcullisError, type ResolvedVaultConnection } from '@portcullis/shared';

/** What Vault answered: the status and the parsed JSON body (undefined when empty or not JSON). */
export interface VaultAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface VaultCall {
  readonly method: 'GET' | 'POST' | 'PUT';
  /** Below /v1/, e.g. auth/kubernetes/login; segments already encoded. */
  readonly path: string;
  readonly token?: string;
  readonly body?: unknown;
}

/** One HTTP call to Vault; injectable so the origins are tested without a server. */
export type VaultTransport = (call: VaultCall) => Promise<VaultAnswer>;

export interface VaultHttpOptions {
  readonly connection: ResolvedVaultConnection;
  /** `<namespace>/<serviceAccount>/<pod>` for Vault's audit log (X-Portcullis-Workload); undefined: not yet verified. */
  readonly workload: () => string | undefined;
  readonly timeoutMs: number;
}

/** The header naming the pod on every call, which Vault writes to its audit log once it is told to audit it. */
export const WORKLOAD_HEADER = 'x-portcullis-workload';
/** Vault answers are small (a token, a secret, a lease); a larger one is refused, not buffered. */
const MAX_ANSWER_BYTES = 1024 * 1024;

/**
 * A Vault HTTP client over node:http(s) with its own keep-alive pool: TLS verified against the system
 * roots plus vault.caBundle, never switched off; X-Vault-Namespace and the workload header on every
 * call; a timeout per call. It returns answers, it does not judge them (vault-error.ts does), and it
 * never logs: the bodies hold tokens and secrets.
 */
export function vaultHttp(opts: VaultHttpOptions): { transport: VaultTransport; close: () => void } {
  const { address, caBundle, namespace } = opts.connection;
  const tls = address.protocol === 'https:';
  const agent = tls
    ? new HttpsAgent({ keepAlive: true, maxSockets: 4, rejectUnauthorized: true, ...(caBundle ? { ca: [...rootCertificates, caBundle] } : {}) })
    : new HttpAgent({ keepAlive: true, maxSockets: 4 });
  const request = tls ? httpsRequest : httpRequest;
  const transport: VaultTransport = (call) =>
    new Promise((resolve, reject) => {
      const payload = call.body === undefined ? undefined : JSON.stringify(call.body);
      const headers: Record<string, string> = { accept: 'application/json' };
      if (payload !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = String(Buffer.byteLength(payload));
      }
      if (call.token !== undefined) headers['x-vault-token'] = call.token;
      if (namespace !== undefined) headers['x-vault-namespace'] = namespace;
      const workload = opts.workload();
      if (workload !== undefined) headers[WORKLOAD_HEADER] = workload;
      const req = request(
        { host: address.hostname, port: address.port || (tls ? 443 : 80), method: call.method, path: `/v1/${call.path}`, headers, agent, timeout: opts.timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_ANSWER_BYTES) req.destroy(new PortcullisError('VAULT_ANSWER_INVALID', `Vault answered more than ${MAX_ANSWER_BYTES} bytes`));
            else chunks.push(chunk);
          });
          res.on('end', () => {
            let body: unknown;
            try {
              body = size === 0 ? undefined : JSON.parse(Buffer.concat(chunks).toString('utf8'));
            } catch {
              body = undefined;
            }
            resolve({ status: res.statusCode ?? 0, body });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new PortcullisError('VAULT_UNAVAILABLE', `no answer within ${opts.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  return { transport, close: () => agent.destroy() };
}
