import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { IdentityWatcher, REVIEW_FAILED_CODE } from './identity-watcher.js';
import type { Identity, TokenReviewStatus } from './identity.js';
import type { ReviewResult } from './metrics.js';
import type { SetTimer } from './timers.js';

/** A virtual clock with one-shot timers; advance() runs due timers in order and lets promises settle. */
class Clock {
  nowMs = Date.UTC(2026, 0, 1);
  private timers: { at: number; fn: () => void; seq: number }[] = [];
  private seq = 0;
  readonly setTimer: SetTimer = (fn, delayMs) => {
    const timer = { at: this.nowMs + delayMs, fn, seq: this.seq++ };
    this.timers.push(timer);
    return () => (this.timers = this.timers.filter((t) => t !== timer));
  };
  async advance(ms: number): Promise<void> {
    const end = this.nowMs + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.nowMs = Math.max(this.nowMs, due.at);
      due.fn();
    }
    this.nowMs = end;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const extra = { 'authentication.kubernetes.io/pod-name': ['app-0'], 'authentication.kubernetes.io/pod-uid': ['uid-1'] };
const OK: TokenReviewStatus = { authenticated: true, audiences: ['portcullis'], user: { username: 'system:serviceaccount:team-a:agent', extra } };

/** An unsigned JWT with the given exp: the watcher only reads exp; TokenReview is what verifies. */
function jwt(expMs: number): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256' })}.${part({ exp: Math.floor(expMs / 1000) })}.sig`;
}

/** `{ thrown }`: the review rejects with that value as it is (not an Error). */
type Answer = TokenReviewStatus | 'hang' | Error | { thrown: unknown };

function setup(opts: { tokenLifetimeMs?: number; intervalMs?: number; random?: () => number; token?: string } = {}) {
  const clock = new Clock();
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'debug' }, new Writable({ write: (c: Buffer, _e, cb) => { lines.push(JSON.parse(c.toString()) as Record<string, unknown>); cb(); } }));
  let token = opts.token ?? jwt(clock.nowMs + (opts.tokenLifetimeMs ?? 60 * MINUTE));
  let answer: Answer = OK;
  const reviews: ReviewResult[] = [];
  const changes: (Identity | undefined)[] = [];
  let calls = 0;
  const watcher = new IdentityWatcher({
    tokenFile: '/virtual/token',
    audience: 'portcullis',
    review: () => {
      calls++;
      if (answer === 'hang') return new Promise<TokenReviewStatus>(() => undefined);
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a peer that rejects with a non-Error
      if ('thrown' in answer) return Promise.reject(answer.thrown);
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
    refreshBeforeExpiryMs: MINUTE,
    reviewIntervalMs: opts.intervalMs ?? MINUTE,
    // The middle of the jitter range: exactly the interval, unless a test draws otherwise.
    random: opts.random ?? (() => 0.5),
    expiryMarginMs: 30 * SECOND,
    reviewTimeoutMs: 5 * SECOND,
    retryInitialMs: 500,
    retryMaxMs: 30 * SECOND,
    now: () => clock.nowMs,
    log,
    onChange: (identity) => changes.push(identity),
    onReview: (result) => reviews.push(result),
    setTimer: clock.setTimer,
    readToken: () => Promise.resolve(token),
    watchToken: () => () => undefined,
  });
  return {
    clock,
    watcher,
    lines,
    reviews,
    changes,
    calls: () => calls,
    answer: (a: Answer) => (answer = a),
    rotate: (lifetimeMs: number) => (token = jwt(clock.nowMs + lifetimeMs)),
  };
}

describe('IdentityWatcher', () => {
  it('keeps the verified identity through an API outage longer than a review interval', async () => {
    const t = setup();
    await t.watcher.start();
    expect(t.watcher.current()).toMatchObject({ podName: 'app-0' });
    t.answer('hang');
    await t.clock.advance(10 * MINUTE);
    expect(t.watcher.current()).toMatchObject({ podName: 'app-0' });
    expect(t.reviews.filter((r) => r === 'timeout').length).toBeGreaterThan(5);
    expect(t.changes).toHaveLength(1);
    t.watcher.stop();
  });

  it('logs an outage once, with its code, and the recovery once', async () => {
    const t = setup();
    await t.watcher.start();
    t.answer(new Error('connect ECONNREFUSED'));
    await t.clock.advance(5 * MINUTE);
    const warnings = t.lines.filter((l) => l.code === REVIEW_FAILED_CODE);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 40, result: 'error', err: 'connect ECONNREFUSED' });
    t.answer(OK);
    await t.clock.advance(31 * SECOND);
    expect(t.lines.filter((l) => l.msg === 'TokenReview succeeded again')).toHaveLength(1);
    expect(t.reviews.at(-1)).toBe('verified');
    t.watcher.stop();
  });

  it('retries with capped backoff: 0.5 s doubling to 30 s', async () => {
    const t = setup();
    await t.watcher.start();
    await t.clock.advance(MINUTE - 1);
    const before = t.calls();
    t.answer(new Error('boom'));
    await t.clock.advance(1); // the periodic review fails
    expect(t.calls()).toBe(before + 1);
    const times: number[] = [t.clock.nowMs];
    for (let i = 0; i < 10 * 60 * 10; i++) {
      const n = t.calls();
      await t.clock.advance(100);
      if (t.calls() > n) times.push(t.clock.nowMs);
    }
    const gaps = times.map((at, i) => at - (times[i - 1] ?? at)).slice(1);
    expect(t.calls() - before).toBeLessThan(40);
    expect(gaps.slice(0, 4)).toEqual([500, 1000, 2000, 4000]);
    expect(Math.max(...gaps)).toBe(30 * SECOND);
    t.watcher.stop();
  });

  it('refuses once the reviewed token has expired, minus the margin, when no review succeeded', async () => {
    const t = setup({ tokenLifetimeMs: 10 * MINUTE });
    await t.watcher.start();
    t.answer('hang');
    await t.clock.advance(10 * MINUTE - 31 * SECOND);
    expect(t.watcher.current()).toBeDefined();
    await t.clock.advance(SECOND);
    expect(t.watcher.current()).toBeUndefined();
    expect(t.watcher.lastProblem()).toMatch(/expired at .* no TokenReview has succeeded since/);
    expect(t.changes.at(-1)).toBeUndefined();
    t.watcher.stop();
  });

  it('keeps the old token\'s validity, not the new one\'s, when the review of a rotated token fails', async () => {
    const t = setup({ tokenLifetimeMs: 10 * MINUTE });
    await t.watcher.start();
    t.answer(new Error('unreachable'));
    t.rotate(60 * MINUTE);
    await t.watcher.review();
    await t.clock.advance(10 * MINUTE);
    expect(t.watcher.current()).toBeUndefined();
    t.watcher.stop();
  });

  it('refuses at once when the API server says the token is not authenticated (a deleted pod)', async () => {
    const t = setup();
    await t.watcher.start();
    t.answer({ authenticated: false, error: 'pod "app-0" not found' });
    await t.clock.advance(MINUTE);
    expect(t.watcher.current()).toBeUndefined();
    expect(t.watcher.lastProblem()).toMatch(/did not authenticate.*not found/);
    expect(t.reviews).toContain('rejected');
    t.watcher.stop();
  });

  it('refuses at once when the answer is for another audience or no pod, without grace', async () => {
    for (const status of [{ ...OK, audiences: ['other'] }, { ...OK, user: { username: 'system:serviceaccount:team-a:agent' } }]) {
      const t = setup();
      await t.watcher.start();
      t.answer(status);
      await t.watcher.review();
      expect(t.watcher.current()).toBeUndefined();
      t.watcher.stop();
    }
  });

  it('gives no identity before the first review succeeds and times a hanging first review out', async () => {
    const t = setup();
    t.answer('hang');
    const started = t.watcher.start();
    expect(t.watcher.current()).toBeUndefined();
    await t.clock.advance(5 * SECOND);
    await started;
    expect(t.watcher.current()).toBeUndefined();
    expect(t.watcher.lastProblem()).toMatch(/TokenReview: no answer within 5000 ms/);
    expect(t.reviews).toEqual(['timeout']);
    t.answer(OK);
    await t.clock.advance(SECOND);
    expect(t.watcher.current()).toMatchObject({ serviceAccount: 'agent' });
    t.watcher.stop();
  });

  it('re-reviews every interval while the API server answers', async () => {
    const t = setup();
    await t.watcher.start();
    await t.clock.advance(10 * MINUTE);
    expect(t.calls()).toBe(11);
    expect(new Set(t.reviews)).toEqual(new Set(['verified']));
    t.watcher.stop();
  });

  it('spreads periodic reviews over ±10 % of the interval with the injected random source', async () => {
    const draws = [0, 0.999, 0.25];
    const t = setup({ intervalMs: 15 * MINUTE, tokenLifetimeMs: 60 * MINUTE, random: () => draws.shift() ?? 0.5 });
    await t.watcher.start();
    const times: number[] = [];
    let calls = t.calls();
    for (let i = 0; i < 45 * 60; i++) {
      await t.clock.advance(SECOND);
      if (t.calls() > calls) times.push(i + 1);
      calls = t.calls();
    }
    // 900 s × 0.9; then + 900 s × 1.0998 (989.82 s, seen at the next whole second); then + 900 s × 0.95.
    expect(times).toEqual([810, 810 + 990, 810 + 990 + 855]);
    t.watcher.stop();
  });

  it('reviews a minute before the token expires, without jitter, when that comes before the periodic review', async () => {
    const t = setup({ intervalMs: 15 * MINUTE, tokenLifetimeMs: 10 * MINUTE, random: () => 0.999 });
    await t.watcher.start();
    await t.clock.advance(9 * MINUTE - 1);
    expect(t.calls()).toBe(1);
    await t.clock.advance(1);
    expect(t.calls()).toBe(2);
    t.watcher.stop();
  });

  it('never leaves a deleted pod unnoticed longer than the interval + 10 % at the largest draw', async () => {
    const t = setup({ intervalMs: 15 * MINUTE, tokenLifetimeMs: 60 * MINUTE, random: () => 0.999_999 });
    await t.watcher.start();
    t.answer({ authenticated: false, error: 'pod "app-0" not found' });
    await t.clock.advance(990 * SECOND - 1);
    expect(t.watcher.current()).toBeDefined();
    await t.clock.advance(1);
    expect(t.watcher.current()).toBeUndefined();
    t.watcher.stop();
  });

  it('tells the app the same problem when the review rejects with a non-Error, logged with its code', async () => {
    const t = setup();
    t.answer({ thrown: 'socket hang up' });
    await t.watcher.start();
    expect(t.watcher.current()).toBeUndefined();
    expect(t.watcher.lastProblem()).toBe('/virtual/token: socket hang up');
    expect(t.lines.filter((l) => l.code === REVIEW_FAILED_CODE)).toEqual([expect.objectContaining({ result: 'error', err: 'socket hang up' })]);
    t.watcher.stop();
  });

  it('keeps a token without a readable exp valid until its next, jittered review has had time to answer', async () => {
    const t = setup({ token: 'opaque-token', random: () => 0.999_999 });
    await t.watcher.start();
    t.answer('hang');
    // The review falls at 66 s (60 s + 10 %) and times out 5 s later.
    await t.clock.advance(71 * SECOND - 1);
    expect(t.watcher.current()).toBeDefined();
    await t.clock.advance(1);
    expect(t.watcher.current()).toBeUndefined();
    t.watcher.stop();
  });
});
