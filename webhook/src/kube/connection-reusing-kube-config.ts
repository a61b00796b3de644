import { KubeConfig, type Cluster, type DispatcherOptions } from '@kubernetes/client-node';
import type { AgentOptions } from 'node:https';

type RequestContext = Parameters<KubeConfig['applySecurityAuthentication']>[0];
type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/** The TLS settings an undici Agent for the API server is built from, as one comparable string. */
function tlsKey(connect: Extract<DispatcherOptions, { type: 'agent' }>['connect']): string {
  const text = (v: unknown): string => {
    if (v === undefined) return '';
    if (Buffer.isBuffer(v)) return v.toString('base64');
    if (Array.isArray(v)) return v.map(text).join(',');
    if (typeof v === 'string' || typeof v === 'boolean') return String(v);
    // The { pem, passphrase } objects node:tls accepts for keys.
    return JSON.stringify(v);
  };
  return [connect.ca, connect.cert, connect.key, connect.pfx, connect.passphrase, connect.rejectUnauthorized, connect.servername].map(text).join('\u0000');
}

/**
 * A KubeConfig whose API calls share one connection pool. client-node 2.0.1 builds a new undici Agent in
 * every applySecurityAuthentication, i.e. for every request made through makeApiClient: each Lease
 * renewal, Secret read or Event was a new TCP connection, a new TLS SecureContext and a full handshake
 * (client-certificate signature included) on the webhook's only thread — between two admissions.
 * Measured on this machine with a client-certificate kubeconfig: 20–31 ms of event-loop time per call
 * fresh, 10–14 ms reused.
 *
 * The first Agent built for a given set of TLS settings (CA, client certificate and key, verification,
 * SNI name) is kept and handed to every later request with the same settings; the Agent client-node just
 * built is closed unused. When the settings change (a rotated CA or client certificate file), the new
 * Agent replaces the pooled one and the old one is closed once its requests (watches included) finish.
 * Proxies and plain HTTP keep client-node's behaviour. Watches take their connections from the same pool:
 * an undici Agent opens another connection when every one it holds is busy, so a long watch never holds
 * up a short call. undici closes a connection idle for 4 s; a later call resumes the TLS session instead
 * of a full handshake.
 */
export class ConnectionReusingKubeConfig extends KubeConfig {
  /** Set by createDispatcherOptions, read by the setDispatcher that follows it in the same synchronous run. */
  private lastKey: string | undefined;
  private pooled: { readonly key: string; readonly dispatcher: Dispatcher } | undefined;

  override createDispatcherOptions(cluster: Cluster | null, agentOptions: AgentOptions): DispatcherOptions {
    const options = super.createDispatcherOptions(cluster, agentOptions);
    this.lastKey = options.type === 'agent' ? tlsKey(options.connect) : undefined;
    return options;
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    const set = context.setDispatcher.bind(context);
    // client-node calls createDispatcherOptions, builds the Agent and calls setDispatcher in one
    // synchronous run, so lastKey here belongs to this request even with other requests in flight.
    context.setDispatcher = (fresh: Dispatcher): void => {
      const key = this.lastKey;
      this.lastKey = undefined;
      set(key === undefined ? fresh : this.reuse(key, fresh));
    };
    try {
      await super.applySecurityAuthentication(context);
    } finally {
      context.setDispatcher = set;
    }
  }

  private reuse(key: string, fresh: Dispatcher): Dispatcher {
    const pooled = this.pooled;
    if (pooled?.key === key) {
      fresh.close().catch(() => undefined);
      return pooled.dispatcher;
    }
    this.pooled = { key, dispatcher: fresh };
    pooled?.dispatcher.close().catch(() => undefined);
    return fresh;
  }
}
