import { describe, expect, it } from '@jest/globals';
import { generalizePath, isIdSegment } from './path-ids.js';

describe('path id detection', () => {
  it.each([
    ['/v1/threads/thread_abc/messages', '/v1/threads/*/messages'],
    ['/v1/files/file-abc123def', '/v1/files/*'],
    ['/repos/acme/widgets/issues/12', '/repos/acme/widgets/issues/*'],
    ['/v1/orders/0b8f7c1e-8a2e-4c55-9a51-1f8e2c3b4d5e', '/v1/orders/*'],
    ['/v1/customers/cus_NffrFeUfNV2Hib', '/v1/customers/*'],
    ['/blobs/9f86d081884c7d659a2feaa0c55ad015', '/blobs/*'],
    ['/v1/batches/batch_x1', '/v1/batches/*'],
  ])('%s → %s', (path, glob) => {
    expect(generalizePath(path, false)).toBe(glob);
  });

  it.each(['/v1/chat/completions', '/v1/fine_tuning/jobs', '/v1/models/gpt-4o', '/api/v2/user-profile', '/v1/embeddings'])('keeps %s (names, not ids)', (path) => {
    expect(generalizePath(path, false)).toBe(path);
  });

  it('keeps ids with --keep-ids, but never writes what the CRD refuses in a path glob', () => {
    expect(generalizePath('/v1/threads/thread_abc/messages', true)).toBe('/v1/threads/thread_abc/messages');
    expect(generalizePath('/a/b c/d**e', true)).toBe('/a/*/*');
  });

  it('does not treat a wildcard or an empty segment as an id', () => {
    expect(isIdSegment('*', 'x')).toBe(false);
    expect(isIdSegment('', 'x')).toBe(false);
  });
});
