import { describe, expect, it } from '@jest/globals';
import { DEFAULT_PRICES, costOf, parseUSD, priceTable } from './prices.js';

describe('prices', () => {
  it('the longest matching entry wins, so gpt-4o-mini is not priced as gpt-4o', () => {
    const table = priceTable([]);
    expect(table.lookup('gpt-4o-mini-2024-07-18')?.model).toBe('gpt-4o-mini*');
    expect(table.lookup('gpt-4o-2024-08-06')?.model).toBe('gpt-4o*');
  });

  it("the operator's entries win over the defaults", () => {
    const table = priceTable([{ model: 'gpt-4o*', inputUSDPerMillionTokens: 1, outputUSDPerMillionTokens: 1 }]);
    expect(table.lookup('gpt-4o-mini')?.inputUSDPerMillionTokens).toBe(1);
  });

  it('a model no entry matches has no price', () => {
    expect(priceTable([]).lookup('my-finetune')).toBeUndefined();
  });

  it('glob metacharacters in model names are literal except *', () => {
    const table = priceTable([{ model: 'a.b', inputUSDPerMillionTokens: 1, outputUSDPerMillionTokens: 1 }], []);
    expect(table.lookup('aXb')).toBeUndefined();
    expect(table.lookup('a.b')).toBeDefined();
  });

  it('costs micro-USD: 1000 input + 1000 output tokens of gpt-4o cost 2500 + 10000', () => {
    const price = DEFAULT_PRICES.find((p) => p.model === 'gpt-4o*');
    if (!price) throw new Error('no default');
    expect(costOf(price, 1000, 1000)).toBe(12_500);
  });

  it('parses USD amounts to micro-USD exactly', () => {
    expect(parseUSD('5')).toBe(5_000_000);
    expect(parseUSD('5.00')).toBe(5_000_000);
    expect(parseUSD('0.000001')).toBe(1);
    expect(parseUSD('12.5')).toBe(12_500_000);
  });
});
