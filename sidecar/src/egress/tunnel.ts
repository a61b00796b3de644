import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { decideHost, isPortcullisError, PortcullisError } from '@portcullis/shared';
import type { Logger } from 'pino';
import { admitEgress, egressDenied, newEgressExchange, recordEgress, type EgressDeps, type EgressExchange } from './egress-exchange.js';
import { refuseTunnel } from './refusal.js';
import { resolveTarget } from './resolve-target.js';
import { connectTarget } from './target.js';
import { terminate } from './mitm/terminate.js';

const ESTABLISHED = 'HTTP/1.1 200 Connection Established\r\n\r\n';

function asPortcullisError(err: unknown, log: Logger, id: string): PortcullisError {
  if (isPortcullisError(err)) return err;
  log.error({ err, requestId: id }, 'unexpected error while opening a tunnel');
  return new PortcullisError('INTERNAL', `the sidecar failed unexpectedly; its log has the details under request id ${id}`, { cause: err });
}

/** Opens the TCP connection to the checked address, bounded by connectTimeoutMs. */
function openUpstream(address: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const upstream = connect({ host: address, port });
    const timer = setTimeout(() => {
      upstream.destroy();
      reject(new PortcullisError('UPSTREAM_TIMEOUT', `connecting to ${address}:${port} took longer than ${timeoutMs} ms`));
    }, timeoutMs);
    upstream.once('connect', () => {
      clearTimeout(timer);
      upstream.removeAllListeners('error');
      resolve(upstream);
    });
    upstream.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new PortcullisError('UPSTREAM_UNREACHABLE', `cannot connect to ${address}:${port} (${err.code ?? err.message})`, { cause: err }));
    });
  });
}

/** Pipes both ways, counting bytes, until either side ends; calls done once when both are closed. */
function splice(x: EgressExchange, client: Duplex, upstream: Socket, head: Buffer, done: () => void): void {
  client.on('data', (chunk: Buffer) => (x.bytesIn += chunk.length));
  upstream.on('data', (chunk: Buffer) => (x.bytesOut += chunk.length));
  let open = 2;
  const closed = (): void => {
    if (--open === 0) done();
  };
  client.once('close', () => {
    upstream.destroy();
    closed();
  });
  upstream.once('close', () => {
    client.destroy();
    closed();
  });
  // A reset on one side ends both; 'close' follows every 'error'.
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
  if (head.length > 0) {
    x.bytesIn += head.length;
    upstream.write(head);
  }
  client.pipe(upstream);
  upstream.pipe(client);
}

/**
 * The HTTPS_PROXY port's CONNECT handler for hosts without a source: identity → egress rules → one DNS
 * lookup → address guard → TCP to the checked address → 200 and a byte pipe; a refusal is a JSON 403
 * (or the failure's status) naming the policy. One audit line per tunnel when it ends.
 */
export function createTunnelHandler(deps: EgressDeps, log: Logger): (req: IncomingMessage, client: Duplex, head: Buffer) => void {
  return (req, client, head) => {
    const x = newEgressExchange(deps, 'tunnel', 'CONNECT');
    let recorded = false;
    const record = (): void => {
      if (recorded) return;
      recorded = true;
      recordEgress(x, deps.audit, deps.metrics);
    };
    const refuse = (cause: unknown): void => {
      const err = asPortcullisError(cause, log, x.id);
      x.error ??= err;
      x.status = refuseTunnel(client, err, x.id, x.decision?.policy);
      record();
    };
    // A client that goes away before the tunnel is up must not leave an unhandled socket error behind.
    client.on('error', (err: NodeJS.ErrnoException) => {
      if (!recorded) log.debug({ requestId: x.id, code: err.code }, 'client left before the tunnel opened');
    });
    const open = async (): Promise<void> => {
      const rules = admitEgress(x, deps);
      const target = connectTarget(req.url ?? '');
      x.host = target.host;
      x.port = target.port;
      const mitm = deps.mitm;
      const served = mitm && target.port === 443 ? deps.state().sourceForHost(target.host) : undefined;
      if (mitm && served) {
        // A host a source serves: no tunnel rule applies; each request inside is decided and audited on
        // its own by the source's pipeline (its audit lines name the source).
        recorded = true;
        deps.metrics.tunnels.inc({ kind: 'mitm', decision: 'allow' });
        terminate(client, head, target.host, mitm.ca, mitm.serverFor(served.port), log);
        return;
      }
      x.decision = decideHost(rules, target);
      if (!x.decision.forward) throw egressDenied(x, x.decision);
      const address = await resolveTarget(target.host, x.decision.namesHost, deps.lookup, deps.guard);
      x.address = address;
      const t0 = performance.now();
      const upstream = await openUpstream(address, target.port, deps.connectTimeoutMs);
      x.upstreamMs = performance.now() - t0;
      x.forwarded = true;
      if (client.destroyed) {
        upstream.destroy();
        x.status = 499;
        record();
        return;
      }
      x.status = 200;
      client.write(ESTABLISHED);
      splice(x, client, upstream, head, record);
    };
    open().catch(refuse);
  };
}
