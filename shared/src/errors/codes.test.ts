import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { AWS_ERROR_CODES, AwsProtocolError } from '../aws/errors/protocol-error.js';
import { ERROR_CODES, httpStatusOf } from './codes.js';
import { errorCodeOf } from './portcullis-error.js';

const docs = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
const documented = new Set([...docs.matchAll(/^## `([A-Z0-9_]+)`/gm)].map((m) => m[1]));

describe('error codes', () => {
  it.each(Object.keys(ERROR_CODES))('%s is documented in docs/errors.md', (code) => {
    expect(documented.has(code)).toBe(true);
  });

  it('documents no code that does not exist', () => {
    const known = new Set(Object.keys(ERROR_CODES));
    expect([...documented].filter((c) => c !== undefined && !known.has(c))).toEqual([]);
  });

  it('maps codes to HTTP statuses only at the edge: 500 for a code that is never an HTTP answer or anything unexpected', () => {
    expect(httpStatusOf('SOURCES_NOT_SYNCED')).toBe(503);
    expect(httpStatusOf('AWS_UNCLASSIFIED_REQUEST')).toBe(403);
    expect(httpStatusOf('KUBE_API_FAILED')).toBe(500);
    expect(httpStatusOf(errorCodeOf(new AwsProtocolError('AWS_MALFORMED_PATH', 'x')))).toBe(400);
    expect(httpStatusOf(errorCodeOf(new Error('boom')))).toBe(500);
    expect(errorCodeOf('not even an Error')).toBe('INTERNAL');
  });

  it('lists every code of the AWS core once, with its status', () => {
    for (const [code, info] of Object.entries(AWS_ERROR_CODES)) expect(ERROR_CODES[code as keyof typeof ERROR_CODES]).toBe(info.status);
  });
});
