import { describe, expect, it } from '@jest/globals';
import { EMPTY_BUDGET, remaining, reserve, settle, release, type Amount } from './budget.js';

const tokens = (inputTokens: number, outputTokens: number, costMicroUSD = 0): Amount => ({ inputTokens, outputTokens, costMicroUSD });

describe('budget accounting', () => {
  it('reserves while used + reserved + ask fits, and refuses the call that would not fit (busy)', () => {
    const limits = { outputTokens: 100 };
    const a = reserve(limits, EMPTY_BUDGET, tokens(0, 60));
    expect(a.ok).toBe(true);
    if (!a.ok) return;
    const b = reserve(limits, a.state, tokens(0, 60));
    expect(b).toMatchObject({ ok: false, why: 'busy', dimension: 'outputTokens' });
  });

  it('refuses a call larger than what is left after used, whatever is in flight (short)', () => {
    const state = settle(EMPTY_BUDGET, tokens(0, 0), tokens(0, 70));
    expect(reserve({ outputTokens: 100 }, state, tokens(0, 40))).toMatchObject({ ok: false, why: 'short', used: 70, ask: 40 });
    expect(reserve({ outputTokens: 100 }, state, tokens(0, 30)).ok).toBe(true);
  });

  it('settling replaces the reservation with the real usage, which frees the difference', () => {
    const limits = { outputTokens: 100 };
    const a = reserve(limits, EMPTY_BUDGET, tokens(0, 60));
    if (!a.ok) throw new Error('reserve');
    const settled = settle(a.state, tokens(0, 60), tokens(0, 10));
    expect(settled.used.outputTokens).toBe(10);
    expect(settled.reserved.outputTokens).toBe(0);
    expect(reserve(limits, settled, tokens(0, 90)).ok).toBe(true);
  });

  it('refuses everything once used reached the limit (exhausted), even a call that asks for nothing', () => {
    const state = settle(EMPTY_BUDGET, tokens(0, 0), tokens(0, 120));
    expect(reserve({ outputTokens: 100 }, state, tokens(0, 0))).toMatchObject({ ok: false, why: 'exhausted', used: 120 });
  });

  it('refuses a call that alone asks for more than the whole budget (tooLarge)', () => {
    expect(reserve({ tokens: 100 }, EMPTY_BUDGET, tokens(80, 40))).toMatchObject({ ok: false, why: 'tooLarge', ask: 120 });
  });

  it('checks every limited dimension: cost refuses although tokens fit', () => {
    expect(reserve({ tokens: 1000, costMicroUSD: 50 }, EMPTY_BUDGET, tokens(10, 10, 60))).toMatchObject({ ok: false, dimension: 'costMicroUSD' });
  });

  it('release gives the reservation back unused', () => {
    const a = reserve({ inputTokens: 10 }, EMPTY_BUDGET, tokens(10, 0));
    if (!a.ok) throw new Error('reserve');
    const r = release(a.state, tokens(10, 0));
    expect(r).toEqual(EMPTY_BUDGET);
  });

  it('remaining is per limited dimension and never negative', () => {
    const state = settle(EMPTY_BUDGET, tokens(0, 0), tokens(30, 200, 7));
    expect(remaining({ inputTokens: 100, outputTokens: 100, costMicroUSD: 10 }, state)).toEqual({ inputTokens: 70, outputTokens: 0, costMicroUSD: 3 });
  });
});
