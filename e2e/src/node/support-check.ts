import { accessSync, constants, existsSync } from 'node:fs';

/**
 * Why this machine cannot run the e2e node, or undefined when it can. Checked before anything is built:
 * containerd, the kubelet and the pods' network need root, a writable cgroup v1 memory hierarchy (this
 * VM's layout; the kubelet runs with the cgroupfs driver), ip and iptables, and Go to build the kubelet.
 */
export function nodeUnsupported(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root: containerd, the kubelet and the pods\' bridge need root (step: node-up)';
  if (process.platform !== 'linux') return `not Linux (${process.platform}) (step: node-up)`;
  for (const tool of ['/usr/sbin/ip', '/usr/sbin/iptables', '/usr/bin/dpkg']) {
    if (!existsSync(tool) && !existsSync(tool.replace('/usr/sbin/', '/sbin/'))) return `${tool} is missing (step: node-up, the pods' network)`;
  }
  try {
    accessSync('/sys/fs/cgroup/memory', constants.W_OK);
  } catch {
    return 'no writable cgroup v1 memory hierarchy at /sys/fs/cgroup/memory (step: node-up, the kubelet)';
  }
  return undefined;
}
