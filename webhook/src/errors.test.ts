import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { WEBHOOK_ERROR_CODES, WebhookError, httpStatusOf } from './errors.js';

const docs = readFileSync(new URL('../../docs/webhook.md', import.meta.url), 'utf8');
const section = docs.slice(docs.indexOf('## Error codes'));
const documented = new Set([...section.matchAll(/^### `([A-Z0-9_]+)`/gm)].map((m) => m[1]));

describe('webhook error codes', () => {
  it.each(Object.keys(WEBHOOK_ERROR_CODES))('%s is documented in docs/webhook.md', (code) => {
    expect(documented.has(code)).toBe(true);
  });

  it('documents no code that does not exist', () => {
    expect([...documented].filter((c) => c !== undefined && !(c in WEBHOOK_ERROR_CODES))).toEqual([]);
  });

  it('maps codes to HTTP statuses only at the edge, 500 for anything unexpected', () => {
    expect(httpStatusOf(new WebhookError('SOURCES_NOT_SYNCED', 'x'))).toBe(503);
    expect(httpStatusOf(new WebhookError('KUBE_API_FAILED', 'x'))).toBe(500);
    expect(httpStatusOf(new Error('boom'))).toBe(500);
  });
});
