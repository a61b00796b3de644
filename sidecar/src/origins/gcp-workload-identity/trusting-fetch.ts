import { rootCertificates } from 'node:tls';

/** The fetch gaxios calls (its `fetchImplementation`): the WHATWG signature. */
export type FetchImplementation = (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => ReturnType<typeof fetch>;

export interface TrustingFetch {
  readonly fetch: FetchImplementation;
  /** Closes the pooled connections (the origin's close()). */
  close(): void;
}

/**
 * A fetch for Google's token endpoints that trusts the system roots plus `caBundle` (a private CA of a
 * TLS-inspecting egress, or a test stand-in's). google-auth-library gives no per-client CA option, and
 * what gaxios would pick by itself differs by runtime (Bun's fetch, node-fetch on Node); so the origin
 * always passes this one, on both runtimes, with or without a bundle (ADR 39):
 * - Bun (the shipped sidecar): Bun's fetch with `tls: { ca }`; Bun keeps pooled connections apart per CA.
 * - Node (unit tests, `node dist/main.js`): undici's fetch with an Agent whose `connect.ca` holds the roots,
 *   undici being what Node's own fetch is built on, with a dispatcher of the same version.
 * Certificate checks are never switched off; a bundle that cannot be parsed fails the exchange.
 */
export async function trustingFetch(caBundle: string | undefined): Promise<TrustingFetch> {
  const ca = caBundle === undefined ? undefined : [...rootCertificates, caBundle];
  if ('Bun' in globalThis) {
    return { fetch: (input, init) => fetch(input, { ...init, ...(ca ? { tls: { ca } } : {}) }), close: () => undefined };
  }
  const undici = await import('undici');
  const dispatcher = new undici.Agent(ca ? { connect: { ca } } : {});
  return {
    fetch: (input, init) => undici.fetch(input as Parameters<typeof undici.fetch>[0], { ...(init as Parameters<typeof undici.fetch>[1]), dispatcher }),
    close: () => void dispatcher.destroy().catch(() => undefined),
  };
}
