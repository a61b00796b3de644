/** A compiled host glob of an egress rule (crds: spec.egress[].hosts). */
export interface HostGlob {
  readonly source: string;
  /** True when the glob names one host (no wildcard): only such a rule may open a tunnel to a guarded address. */
  readonly exact: boolean;
  /** `host` must already be normalized (normalizeHost). */
  test(host: string): boolean;
}

/**
 * The host as policies compare it: lower case, without a trailing dot and without IPv6 brackets. Returns
 * undefined for what is no host at all (empty, or with characters no host name or address has), so a
 * request target like `evil.com@127.0.0.1` or `a b` is refused before any rule sees it.
 */
export function normalizeHost(raw: string): string | undefined {
  let host = raw.toLowerCase();
  const bracketed = host.startsWith('[') && host.endsWith(']');
  if (bracketed) host = host.slice(1, -1);
  // Brackets only ever hold an IPv6 address; an IPv6 address only ever comes in them (or alone).
  if (bracketed && !host.includes(':')) return undefined;
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host === '' || host.length > 253) return undefined;
  if (!/^[a-z0-9._:-]+$/.test(host)) return undefined;
  if (host.includes(':') && !/^[0-9a-f:.]+$/.test(host)) return undefined;
  return host;
}

/**
 * `*` matches every host; `*.example.com` every name below example.com (any number of labels) but not
 * example.com itself; anything else exactly, case-insensitively.
 */
export function hostGlob(pattern: string): HostGlob {
  const p = normalizeHost(pattern.startsWith('*.') ? pattern.slice(2) : pattern) ?? pattern.toLowerCase();
  if (pattern === '*') return { source: pattern, exact: false, test: () => true };
  if (pattern.startsWith('*.')) {
    const suffix = `.${p}`;
    return { source: pattern, exact: false, test: (host) => host.length > suffix.length && host.endsWith(suffix) };
  }
  return { source: pattern, exact: true, test: (host) => host === p };
}
