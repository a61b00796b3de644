import { describe, expect, it } from '@jest/globals';
import { isQuantity, quantityValue } from './quantity.js';

describe('quantityValue', () => {
  it.each([
    ['100m', 0.1],
    ['2', 2],
    ['1.5', 1.5],
    ['128Mi', 128 * 2 ** 20],
    ['1G', 1e9],
  ])('reads %s', (text, value) => {
    expect(quantityValue(text)).toBeCloseTo(value);
  });

  it.each(['', 'lots', '1 Gi', '-1', '1Mb', '1e3'])('rejects %j', (text) => {
    expect(isQuantity(text)).toBe(false);
  });
});
