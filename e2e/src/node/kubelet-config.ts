import { join } from 'node:path';
import { stringify } from 'yaml';
import type { NodeLayout, NodeNetwork } from './layout.js';

/**
 * The kubelet's KubeletConfiguration for a throw-away node in a sandbox: x509 + webhook authentication and
 * webhook authorization (the API server's client certificate reads logs and execs; nothing anonymous),
 * a serving certificate from the cluster CA, cgroupfs like containerd, no swap check, no eviction
 * thresholds and no image garbage collection (the shared disk's fill level must not evict test pods),
 * no read-only port, and no node-allocatable enforcement (the sandbox's cgroup is not the machine's).
 */
export function kubeletConfig(layout: NodeLayout, net: NodeNetwork): string {
  const pki = (file: string): string => join(layout.pkiDir, file);
  return stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: net.nodeIp,
    port: net.kubeletPort,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: 0,
    tlsCertFile: pki('kubelet-serving.crt'),
    tlsPrivateKeyFile: pki('kubelet-serving.key'),
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: pki('ca.crt') },
    },
    authorization: { mode: 'Webhook' },
    cgroupDriver: 'cgroupfs',
    containerRuntimeEndpoint: `unix://${layout.containerdSocket}`,
    failSwapOn: false,
    cgroupsPerQOS: true,
    enforceNodeAllocatable: [],
    protectKernelDefaults: false,
    evictionHard: { 'memory.available': '0%', 'nodefs.available': '0%', 'imagefs.available': '0%', 'nodefs.inodesFree': '0%' },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    serializeImagePulls: false,
    clusterDomain: 'cluster.local',
    resolvConf: '/etc/resolv.conf',
    podLogsDir: layout.podLogsDir,
    staticPodPath: '',
    maxPods: 30,
    rotateCertificates: false,
    serverTLSBootstrap: false,
    registerNode: true,
    // The node's pods should not wait the default 10 s between status reports in tests.
    nodeStatusUpdateFrequency: '4s',
    syncFrequency: '10s',
    fileCheckFrequency: '10s',
    shutdownGracePeriod: '0s',
    localStorageCapacityIsolation: true,
  });
}

/** The kubelet's command line; everything else is in its configuration file. */
export function kubeletArgs(layout: NodeLayout, net: NodeNetwork, kubeconfig: string): string[] {
  return [
    `--config=${layout.kubeletConfig}`,
    `--kubeconfig=${kubeconfig}`,
    `--root-dir=${layout.kubeletRoot}`,
    `--cert-dir=${layout.pkiDir}`,
    `--hostname-override=${net.nodeName}`,
    `--node-ip=${net.nodeIp}`,
    '--v=1',
  ];
}

/** kube-controller-manager: the controllers a Deployment, a Job and the webhook's Service need. */
export function controllerManagerArgs(clusterPki: string, kubeconfig: string): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    // Each controller acts as its own service account (least privilege), as kubeadm sets it up.
    '--use-service-account-credentials=true',
    `--service-account-private-key-file=${join(clusterPki, 'sa.key')}`,
    // Published in every namespace as kube-root-ca.crt: projected service-account volumes need it.
    `--root-ca-file=${join(clusterPki, 'ca.crt')}`,
    '--leader-elect=false',
    '--bind-address=127.0.0.1',
    '--secure-port=0',
    '--controllers=*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-route',
    '--concurrent-job-syncs=5',
    '--v=1',
  ];
}

export function schedulerArgs(kubeconfig: string): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--leader-elect=false',
    '--bind-address=127.0.0.1',
    '--secure-port=0',
    '--v=1',
  ];
}
