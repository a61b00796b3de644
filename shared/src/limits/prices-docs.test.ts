// docs/sidecar.md lists the default price table; it must say what the code charges.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_PRICES } from './prices.js';

describe('the default price table in docs/sidecar.md', () => {
  it.each(DEFAULT_PRICES.map((p) => [p.model, p] as const))('lists %s with its input and output price', async (model, price) => {
    const doc = await readFile(fileURLToPath(new URL('../../../docs/sidecar.md', import.meta.url)), 'utf8');
    const row = doc.split('\n').find((line) => line.startsWith('|') && line.includes(`\`${model}\``));
    expect(row).toBeDefined();
    // The model's own cell group: from its name to the next model name (two models share a row).
    const cells = (row ?? '').split('|').map((c) => c.trim());
    const at = cells.findIndex((c) => c.includes(`\`${model}\``));
    expect([cells[at + 1], cells[at + 2]]).toEqual([price.inputUSDPerMillionTokens.toFixed(2), price.outputUSDPerMillionTokens.toFixed(2)]);
  });
});
