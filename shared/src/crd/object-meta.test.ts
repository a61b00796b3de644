import type { V1ObjectMeta } from '@kubernetes/client-node';
import { describe, expect, it } from '@jest/globals';
import type { ObjectMeta } from './object-meta.js';

describe('ObjectMeta', () => {
  it('is assignable to and from client-node V1ObjectMeta, so objects pass between the webhook client and the core', () => {
    // A compile-time check (tsc -b compiles the tests): either assignment failing breaks the build.
    const fromClient: ObjectMeta = { name: 'n', namespace: 'ns', generation: 2, labels: { a: 'b' } } satisfies V1ObjectMeta;
    const toClient: V1ObjectMeta = fromClient;
    expect(toClient).toBe(fromClient);
  });
});
