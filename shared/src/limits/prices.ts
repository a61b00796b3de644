import type { Amount } from './budget.js';

/** USD per million tokens for models matching `model` ("*" matches any characters; the longest match wins). */
export interface ModelPrice {
  readonly model: string;
  readonly inputUSDPerMillionTokens: number;
  readonly outputUSDPerMillionTokens: number;
}

/**
 * Default prices for the presets' common models (USD per million tokens, list prices as published by
 * the providers in 2025). They drift: an operator who budgets cost should set spec.prices, which wins
 * over these for every model it matches. docs/sidecar.md lists this table.
 */
export const DEFAULT_PRICES: readonly ModelPrice[] = Object.freeze([
  { model: 'gpt-4o*', inputUSDPerMillionTokens: 2.5, outputUSDPerMillionTokens: 10 },
  { model: 'gpt-4o-mini*', inputUSDPerMillionTokens: 0.15, outputUSDPerMillionTokens: 0.6 },
  { model: 'gpt-4.1*', inputUSDPerMillionTokens: 2, outputUSDPerMillionTokens: 8 },
  { model: 'gpt-4.1-mini*', inputUSDPerMillionTokens: 0.4, outputUSDPerMillionTokens: 1.6 },
  { model: 'gpt-4.1-nano*', inputUSDPerMillionTokens: 0.1, outputUSDPerMillionTokens: 0.4 },
  { model: 'gpt-5*', inputUSDPerMillionTokens: 1.25, outputUSDPerMillionTokens: 10 },
  { model: 'gpt-5-mini*', inputUSDPerMillionTokens: 0.25, outputUSDPerMillionTokens: 2 },
  { model: 'o3*', inputUSDPerMillionTokens: 2, outputUSDPerMillionTokens: 8 },
  { model: 'o4-mini*', inputUSDPerMillionTokens: 1.1, outputUSDPerMillionTokens: 4.4 },
  { model: 'claude-opus-4*', inputUSDPerMillionTokens: 15, outputUSDPerMillionTokens: 75 },
  { model: 'claude-sonnet-4*', inputUSDPerMillionTokens: 3, outputUSDPerMillionTokens: 15 },
  { model: 'claude-3-7-sonnet*', inputUSDPerMillionTokens: 3, outputUSDPerMillionTokens: 15 },
  { model: 'claude-3-5-sonnet*', inputUSDPerMillionTokens: 3, outputUSDPerMillionTokens: 15 },
  { model: 'claude-3-5-haiku*', inputUSDPerMillionTokens: 0.8, outputUSDPerMillionTokens: 4 },
  { model: 'claude-haiku-4*', inputUSDPerMillionTokens: 1, outputUSDPerMillionTokens: 5 },
  { model: 'mistral-large*', inputUSDPerMillionTokens: 2, outputUSDPerMillionTokens: 6 },
  { model: 'mistral-medium*', inputUSDPerMillionTokens: 0.4, outputUSDPerMillionTokens: 2 },
  { model: 'mistral-small*', inputUSDPerMillionTokens: 0.1, outputUSDPerMillionTokens: 0.3 },
  { model: 'codestral*', inputUSDPerMillionTokens: 0.3, outputUSDPerMillionTokens: 0.9 },
]);

export interface PriceTable {
  /** The price of a model, or undefined when no entry matches. */
  lookup(model: string): ModelPrice | undefined;
}

function globRegExp(glob: string): RegExp {
  const body = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`);
}

/** A price table where the operator's entries win over the defaults; within each, the longest match wins. */
export function priceTable(operator: readonly ModelPrice[], defaults: readonly ModelPrice[] = DEFAULT_PRICES): PriceTable {
  const compile = (list: readonly ModelPrice[]): { price: ModelPrice; re: RegExp }[] =>
    [...list].sort((a, b) => b.model.length - a.model.length).map((price) => ({ price, re: globRegExp(price.model) }));
  const tiers = [compile(operator), compile(defaults)];
  const cache = new Map<string, ModelPrice | undefined>();
  return {
    lookup(model) {
      if (cache.has(model)) return cache.get(model);
      let found: ModelPrice | undefined;
      for (const tier of tiers) {
        found = tier.find((e) => e.re.test(model))?.price;
        if (found) break;
      }
      // Bounded: model names come from requests and responses.
      if (cache.size < 256) cache.set(model, found);
      return found;
    },
  };
}

/** Cost in micro-USD of some tokens (a price per million tokens is a price in micro-USD per token). */
export function costOf(price: ModelPrice, inputTokens: number, outputTokens: number): number {
  return Math.ceil(inputTokens * price.inputUSDPerMillionTokens + outputTokens * price.outputUSDPerMillionTokens);
}

/** An amount with its cost filled in from the price (0 cost without one). */
export function priced(price: ModelPrice | undefined, inputTokens: number, outputTokens: number): Amount {
  return { inputTokens, outputTokens, costMicroUSD: price ? costOf(price, inputTokens, outputTokens) : 0 };
}

/** "5.00" (USD) → 5000000 micro-USD; the CRD's pattern guarantees the form. */
export function parseUSD(text: string): number {
  const [whole = '0', frac = ''] = text.split('.');
  return Number(whole) * 1_000_000 + Number(frac.padEnd(6, '0').slice(0, 6));
}
