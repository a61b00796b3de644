import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import type { NodeNetwork } from './layout.js';
import { KUBERNETES_SERVICE_IP } from '../cluster/pki.js';

const run = (cmd: string, args: readonly string[]): string => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const succeeds = (cmd: string, args: readonly string[]): boolean => {
  try {
    run(cmd, args);
    return true;
  } catch {
    return false;
  }
};

/** The IPv4 address of the interface the default route leaves through, from `ip -4 route` and `ip -o -4 addr`. */
export function parseDefaultRouteSource(routeOutput: string, addrOutput: string): string | undefined {
  const dev = /^default .*\bdev (\S+)/m.exec(routeOutput)?.[1];
  if (dev === undefined) return undefined;
  for (const line of addrOutput.split('\n')) {
    const m = /^\d+:\s+(\S+)\s+inet (\d+\.\d+\.\d+\.\d+)\//.exec(line);
    if (m && m[1] === dev) return m[2];
  }
  return undefined;
}

/** The host's own IPv4 address: the kubelet's InternalIP, where the API server reaches it. */
export function discoverNodeIp(): string {
  const ip = parseDefaultRouteSource(run('ip', ['-4', 'route', 'show', 'default']), run('ip', ['-o', '-4', 'addr', 'show']));
  if (ip === undefined) throw new Error('e2e node: no IPv4 default route, so no address for the kubelet (ip -4 route show default)');
  return ip;
}

/**
 * The iptables rule that stands in for kube-proxy for one Service only: pods' connections to the
 * `kubernetes` ClusterIP go to the API server on the host's loopback. route_localnet on the bridge lets
 * the kernel route those packets to 127.0.0.1 (as kube-proxy does for localhost NodePorts).
 */
export function apiServerDnatRule(net: NodeNetwork, apiserverPort: number): string[] {
  return [
    'PREROUTING',
    '-i', net.bridge,
    '-d', `${KUBERNETES_SERVICE_IP}/32`,
    '-p', 'tcp', '--dport', '443',
    '-m', 'comment', '--comment', 'portcullis-e2e: kubernetes Service to the loopback API server',
    '-j', 'DNAT', '--to-destination', `127.0.0.1:${apiserverPort}`,
  ];
}

/** Creates the pods' bridge (the CNI plugin reuses it) and the API server route; idempotent. */
export function setUpNetwork(net: NodeNetwork, apiserverPort: number): void {
  if (!succeeds('ip', ['link', 'show', net.bridge])) {
    run('ip', ['link', 'add', net.bridge, 'type', 'bridge']);
  }
  const prefix = net.podSubnet.split('/')[1] ?? '24';
  if (!run('ip', ['-o', '-4', 'addr', 'show', 'dev', net.bridge]).includes(` ${net.gatewayIp}/`)) {
    run('ip', ['addr', 'add', `${net.gatewayIp}/${prefix}`, 'dev', net.bridge]);
  }
  run('ip', ['link', 'set', net.bridge, 'up']);
  writeFileSync(`/proc/sys/net/ipv4/conf/${net.bridge}/route_localnet`, '1');
  const rule = apiServerDnatRule(net, apiserverPort);
  if (!succeeds('iptables', ['-t', 'nat', '-C', ...rule])) run('iptables', ['-t', 'nat', '-A', ...rule]);
}

/** Removes what setUpNetwork added; missing pieces are fine. */
export function tearDownNetwork(net: NodeNetwork, apiserverPort: number): void {
  const rule = apiServerDnatRule(net, apiserverPort);
  while (succeeds('iptables', ['-t', 'nat', '-C', ...rule])) run('iptables', ['-t', 'nat', '-D', ...rule]);
  if (existsSync(`/sys/class/net/${net.bridge}`)) succeeds('ip', ['link', 'delete', net.bridge]);
}
