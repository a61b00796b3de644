import { BlockList, isIP } from 'node:net';

/**
 * Addresses no tunnel goes to unless an Allow rule names the host exactly (smokescreen's idea): the pod's
 * own loopback (the sidecar's source ports and admin port among them), link-local and the cloud metadata
 * services, "this host", multicast and broadcast, and the cluster's API server. Private ranges are not on
 * the list: in a cluster they are where the other services live, and egress rules decide on those.
 */
const GUARDED: readonly (readonly [string, number, 'ipv4' | 'ipv6', string])[] = [
  ['0.0.0.0', 8, 'ipv4', 'this-host address'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local (cloud metadata lives at 169.254.169.254)'],
  ['100.100.100.200', 32, 'ipv4', 'cloud metadata (Alibaba)'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['255.255.255.255', 32, 'ipv4', 'broadcast'],
  ['::', 128, 'ipv6', 'unspecified address'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['fd00:ec2::254', 128, 'ipv6', 'cloud metadata (AWS IPv6)'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];

/** An IPv4 address hidden in an IPv6 one (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96), else undefined. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return undefined;
  const hi = parseInt(hex[1] as string, 16);
  const lo = parseInt(hex[2] as string, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

export interface AddressGuard {
  /** Why `address` (an IP literal) is guarded, or undefined when a tunnel may go there. */
  reason(address: string): string | undefined;
}

/**
 * Builds the guard once at start. `apiServer` are the addresses of the cluster's API server (the
 * in-cluster service IP and the address the sidecar itself uses), guarded like loopback.
 */
export function createAddressGuard(apiServer: readonly string[]): AddressGuard {
  const lists = GUARDED.map(([net, prefix, family, why]) => {
    const list = new BlockList();
    list.addSubnet(net, prefix, family);
    return { list, why };
  });
  const api = new BlockList();
  let anyApi = false;
  for (const a of apiServer) {
    const family = isIP(a);
    if (family === 0) continue;
    api.addAddress(a, family === 4 ? 'ipv4' : 'ipv6');
    anyApi = true;
  }
  const check = (address: string): string | undefined => {
    const family = isIP(address);
    if (family === 0) return 'not an IP address';
    const type = family === 4 ? 'ipv4' : 'ipv6';
    for (const { list, why } of lists) if (list.check(address, type)) return why;
    if (anyApi && api.check(address, type)) return "the cluster's API server";
    return undefined;
  };
  return {
    reason(address) {
      const v4 = isIP(address) === 6 ? embeddedIpv4(address) : undefined;
      return (v4 === undefined ? undefined : check(v4)) ?? check(address);
    },
  };
}
