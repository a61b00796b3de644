import type { Agent as HttpAgent, AgentOptions } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions as HttpsAgentOptions } from 'node:https';
import type { Socket } from 'node:net';
import { nodeHttp } from '@portcullis/shared/http';

const TAINTED = Symbol('portcullis.tainted');
const IDLE_GUARD = Symbol('portcullis.idleGuard');

type PooledSocket = Socket & { [TAINTED]?: boolean; [IDLE_GUARD]?: (() => void) | undefined };

/**
 * Marks an upstream connection as unfit for reuse: something unusual happened on it (an answer before the
 * request was sent in full, a body the sidecar stopped sending). The pool closes it instead of keeping it.
 */
export function taint(socket: Socket | null | undefined): void {
  if (socket) (socket as PooledSocket)[TAINTED] = true;
}

export function isTainted(socket: Socket): boolean {
  return (socket as PooledSocket)[TAINTED] === true;
}

/**
 * Decides whether a connection that finished an exchange goes back to the pool: never a tainted one or one
 * with unread bytes; and while it waits there, any byte that arrives (a response nobody asked for, e.g. a
 * body sent after a 204 or a HEAD answer) closes it, so it can never answer the next request.
 */
function keep(socket: PooledSocket, poolWouldKeep: boolean): boolean {
  if (!poolWouldKeep || socket[TAINTED] || socket.readableLength > 0) return false;
  const guard = (): void => {
    taint(socket);
    socket.destroy();
  };
  socket[IDLE_GUARD] = guard;
  socket.on('data', guard);
  return true;
}

function release(socket: PooledSocket): void {
  const guard = socket[IDLE_GUARD];
  if (guard) socket.off('data', guard);
  socket[IDLE_GUARD] = undefined;
}

type AgentClass<O> = new (options: O) => HttpAgent;

/** `Base` with connection reuse held to keep()/release(): one exchange at a time, nothing in between. */
function strict<O>(Base: AgentClass<O>): AgentClass<O> {
  return class extends Base {
    override keepSocketAlive(socket: Socket): boolean {
      // Node returns a boolean here (false: close it); @types/node declares void.
      const kept: unknown = super.keepSocketAlive(socket);
      return keep(socket, kept !== false);
    }

    override reuseSocket(socket: Socket, request: Parameters<HttpAgent['reuseSocket']>[1]): void {
      release(socket);
      super.reuseSocket(socket, request);
    }
  };
}

/** An http.Agent whose pooled connections carry exactly one exchange at a time, with nothing in between. */
export const StrictHttpAgent: AgentClass<AgentOptions> = strict(nodeHttp.Agent);

/** The https.Agent counterpart of StrictHttpAgent (https.Agent extends http.Agent). */
export const StrictHttpsAgent = strict<HttpsAgentOptions>(HttpsAgent) as new (options: HttpsAgentOptions) => HttpsAgent;

/** Pool settings every source uses: keep-alive, LIFO (warm connections first), bounded. */
export const POOL_OPTIONS = { keepAlive: true, maxSockets: 256, maxFreeSockets: 32, scheduling: 'lifo' } as const;
