import type { CredentialSource } from '../crd/index.js';
import { normalizeHost } from '../policy/hosts/host-glob.js';
import type { SourceProblem } from './resolve.js';

// A host name of two labels or more, optionally behind "*." (the same shape the CRD's CEL rule checks).
const PROXY_HOST = /^(\*\.)?[a-z0-9]([-a-z0-9_]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9_]*[a-z0-9])?)+$/;

/**
 * spec.proxyHosts, normalized (lower case, no trailing dot, no duplicates): the extra hosts a source serves
 * in HTTPS_PROXY mode. Refuses "*" and a wildcard over a single label ("*.com"): a source must not
 * intercept every host, or a whole top-level domain.
 */
export function resolveProxyHosts(cs: CredentialSource): readonly string[] | SourceProblem {
  const source = cs.metadata.name ?? '';
  const out: string[] = [];
  for (const raw of cs.spec.proxyHosts ?? []) {
    const wildcard = raw.startsWith('*.');
    const host = normalizeHost(wildcard ? raw.slice(2) : raw);
    const entry = host === undefined ? undefined : `${wildcard ? '*.' : ''}${host}`;
    if (entry === undefined || !PROXY_HOST.test(entry)) {
      return {
        source,
        message: `spec.proxyHosts entry ${JSON.stringify(raw)} is not a host name of two labels or more, or "*." and such a domain; write e.g. s3.eu-west-1.amazonaws.com or *.s3.eu-west-1.amazonaws.com`,
      };
    }
    if (!out.includes(entry)) out.push(entry);
  }
  return out;
}
