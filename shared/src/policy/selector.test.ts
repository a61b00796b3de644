import { describe, expect, it } from '@jest/globals';
import { matchesSelector } from './selector.js';

const labels = { app: 'reports', tier: 'batch' };

describe('matchesSelector', () => {
  it.each([
    [{}, true],
    [{ matchLabels: { app: 'reports' } }, true],
    [{ matchLabels: { app: 'web' } }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'In' as const, values: ['batch', 'web'] }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn' as const, values: ['batch'] }] }, false],
    [{ matchExpressions: [{ key: 'team', operator: 'NotIn' as const, values: ['x'] }] }, true],
    [{ matchExpressions: [{ key: 'app', operator: 'Exists' as const }] }, true],
    [{ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' as const }] }, false],
    [{ matchLabels: { app: 'reports' }, matchExpressions: [{ key: 'tier', operator: 'In' as const, values: ['web'] }] }, false],
  ])('%j → %s', (selector, expected) => {
    expect(matchesSelector(selector, labels)).toBe(expected);
  });

  it('does not treat inherited properties as labels', () => {
    expect(matchesSelector({ matchExpressions: [{ key: 'toString', operator: 'Exists' }] }, labels)).toBe(false);
  });
});
