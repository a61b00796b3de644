import { Redis } from 'ioredis';
import type { Amount, BucketSpec, BucketTake, BudgetDimension, BudgetLimits, BudgetState, LimitStore, ReserveResult } from '@portcullis/shared';
import { ACQUIRE, RESERVE, SETTLE, TAKE } from './scripts.js';

type Reply = (number | string)[];

interface ScriptClient {
  take(key: string, rate: string, burst: string): Promise<Reply>;
  acquire(key: string, id: string, max: string, leaseMs: string): Promise<Reply>;
  reserve(used: string, leases: string, amounts: string, ...argv: string[]): Promise<Reply>;
  settle(used: string, leases: string, amounts: string, ...argv: string[]): Promise<Reply>;
  zrem(key: string, member: string): Promise<number>;
}

const DIMENSIONS: readonly BudgetDimension[] = ['inputTokens', 'outputTokens', 'tokens', 'costMicroUSD'];
const WHY = ['exhausted', 'tooLarge', 'busy', 'short'] as const;
/** A Run window has no end; its counters (pod scope never reaches Redis, so this is a safety net) live a week. */
const NO_WINDOW_TTL_MS = 7 * 86_400_000;
/** Counters outlive their window by this much, so a settle at the window's edge still finds them. */
const WINDOW_GRACE_MS = 3_600_000;

const n = (v: number | string | undefined): number => Number(v ?? 0);
const whole = (x: number): string => String(Math.max(0, Math.ceil(x)));
const limitArg = (x: number | undefined): string => (x === undefined ? '-1' : String(x));

/** Where Redis is and how to log in (main reads the password and CA from files mounted into the sidecar only). */
export interface RedisConnection {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly caPem?: string | undefined;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  /** A command with no answer within this long fails (the limit then fails closed or open). */
  readonly commandTimeoutMs: number;
}

/** Keys of one budget window; the hash tag keeps them in one slot of a Redis Cluster. */
function budgetKeys(key: string, slot: string): [string, string, string] {
  const base = `{${key}:${slot}}`;
  return [`${base}:used`, `${base}:leases`, `${base}:holds`];
}

/**
 * Counters shared by pods (ServiceAccount and Namespace scopes) in Redis, one atomic Lua script per
 * operation. Commands fail fast while Redis is unreachable (no offline queue, a command timeout), so a
 * Redis outage turns into the policy's fail-closed or fail-open answer within `commandTimeoutMs`, never
 * into requests that hang.
 */
export class RedisLimitStore implements LimitStore {
  private readonly redis: Redis;
  private readonly scripts: ScriptClient;

  constructor(c: RedisConnection) {
    this.redis = new Redis({
      host: c.host,
      port: c.port,
      ...(c.username !== undefined ? { username: c.username } : {}),
      ...(c.password !== undefined ? { password: c.password } : {}),
      ...(c.tls ? { tls: c.caPem !== undefined ? { ca: c.caPem, servername: c.host } : { servername: c.host } } : {}),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: c.commandTimeoutMs,
      connectTimeout: 2000,
      // Reconnect forever, backing off to 2 s: an outage ends by itself when Redis is back.
      retryStrategy: (times: number) => Math.min(2000, 50 * times),
    });
    this.redis.defineCommand('take', { numberOfKeys: 1, lua: TAKE });
    this.redis.defineCommand('acquire', { numberOfKeys: 1, lua: ACQUIRE });
    this.redis.defineCommand('reserve', { numberOfKeys: 3, lua: RESERVE });
    this.redis.defineCommand('settle', { numberOfKeys: 3, lua: SETTLE });
    this.scripts = this.redis as unknown as ScriptClient;
  }

  /** Connection events, for logs and metrics (the store itself never logs). */
  on(event: 'ready' | 'error' | 'close', listener: (err?: Error) => void): void {
    this.redis.on(event, listener);
  }

  async take(key: string, spec: BucketSpec, _nowMs?: number): Promise<BucketTake> {
    const [allowed, retry, remaining] = await this.scripts.take(`{${key}}`, String(spec.ratePerSecond), String(spec.burst));
    return { allowed: n(allowed) === 1, retryAfterMs: n(retry), remaining: n(remaining), state: { tokens: n(remaining), atMs: 0 } };
  }

  async acquire(key: string, id: string, max: number, _nowMs: number, leaseMs: number): Promise<{ ok: boolean; inFlight: number }> {
    const [ok, inFlight] = await this.scripts.acquire(`{${key}}`, id, String(max), String(leaseMs));
    return { ok: n(ok) === 1, inFlight: n(inFlight) };
  }

  async releaseSlot(key: string, id: string): Promise<void> {
    await this.scripts.zrem(`{${key}}`, id);
  }

  async reserve(key: string, slot: string, id: string, limits: BudgetLimits, ask: Amount, nowMs: number, leaseMs: number, expiresAtMs: number | undefined): Promise<ReserveResult> {
    const ttlMs = expiresAtMs === undefined ? NO_WINDOW_TTL_MS : Math.max(1000, expiresAtMs - nowMs + WINDOW_GRACE_MS);
    const reply = await this.scripts.reserve(
      ...budgetKeys(key, slot),
      id,
      limitArg(limits.inputTokens),
      limitArg(limits.outputTokens),
      limitArg(limits.tokens),
      limitArg(limits.costMicroUSD),
      whole(ask.inputTokens),
      whole(ask.outputTokens),
      whole(ask.costMicroUSD),
      String(leaseMs),
      String(Math.ceil(ttlMs)),
    );
    if (n(reply[0]) === 1) return { ok: true, state: { used: ZERO_AMOUNT, reserved: ask } };
    return {
      ok: false,
      dimension: DIMENSIONS[n(reply[1]) - 1] ?? 'tokens',
      why: WHY[n(reply[2]) - 1] ?? 'busy',
      limit: n(reply[3]),
      used: n(reply[4]),
      ask: n(reply[5]),
    };
  }

  async settle(key: string, slot: string, id: string, _reserved: Amount, actual: Amount): Promise<BudgetState> {
    const r = await this.scripts.settle(...budgetKeys(key, slot), id, whole(actual.inputTokens), whole(actual.outputTokens), whole(actual.costMicroUSD));
    return {
      used: { inputTokens: n(r[0]), outputTokens: n(r[1]), costMicroUSD: n(r[2]) },
      reserved: { inputTokens: n(r[3]), outputTokens: n(r[4]), costMicroUSD: n(r[5]) },
    };
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

const ZERO_AMOUNT: Amount = { inputTokens: 0, outputTokens: 0, costMicroUSD: 0 };
