import { isIP } from 'node:net';
import type { NoProxyTargets } from '@portcullis/shared';
import { invalid, list, type Values } from './flags.js';

const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** One CIDR: an IPv4 or IPv6 address and a prefix length that fits it. */
function isCidr(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash < 0) return false;
  const family = isIP(text.slice(0, slash));
  const prefix = text.slice(slash + 1);
  if (family === 0 || !/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * What proxy-mode pods' NO_PROXY names besides loopback: --cluster-domain (default cluster.local) and
 * --service-cidrs (the cluster's Service ranges, comma-separated; default none, since the API server does
 * not tell its clients the range).
 */
export function noProxyTargets(v: Values): NoProxyTargets {
  const raw = v['cluster-domain'] ?? 'cluster.local';
  const clusterDomain = raw.toLowerCase().replace(/^\./, '').replace(/\.$/, '');
  if (clusterDomain.length > 253 || !DNS_NAME.test(clusterDomain)) throw invalid('cluster-domain', raw, 'expected a DNS domain such as cluster.local');
  const serviceCidrs = [...new Set(list(v['service-cidrs']).map((c) => c.toLowerCase()))];
  for (const cidr of serviceCidrs) {
    if (!isCidr(cidr)) throw invalid('service-cidrs', cidr, 'expected CIDRs separated by commas, such as 10.96.0.0/12,fd00:10:96::/108');
  }
  return Object.freeze({ clusterDomain, serviceCidrs: Object.freeze(serviceCidrs) });
}
