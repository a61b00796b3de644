import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueCertificate, type KeyPair } from '@portcullis/shared/pki';
import { adminKubeconfig } from '../cluster/kubeconfig.js';
import type { NodeLayout, NodeNetwork } from './layout.js';

const YEAR_SECONDS = 365 * 24 * 3600;

export interface NodeKubeconfigs {
  readonly kubelet: string;
  readonly controllerManager: string;
  readonly scheduler: string;
}

/**
 * Issues the node's certificates from the control plane's CA (e2e/src/cluster/pki.ts) and writes a
 * kubeconfig per component. The kubelet is system:node:<name> in system:nodes (the Node authorizer's
 * subject), the controller manager and scheduler are the users their bootstrap ClusterRoles bind.
 * The kubelet's serving certificate names the node's IP, which the API server checks (logs, exec).
 */
export function writeNodePki(clusterPkiDir: string, layout: NodeLayout, net: NodeNetwork, server: string, now: Date): NodeKubeconfigs {
  const read = (file: string): string => readFileSync(join(clusterPkiDir, file), 'utf8');
  const ca: KeyPair = { certPem: read('ca.crt'), keyPem: read('ca.key') };
  mkdirSync(layout.pkiDir, { recursive: true, mode: 0o700 });
  const write = (file: string, content: string): string => {
    const path = join(layout.pkiDir, file);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  };
  write('ca.crt', ca.certPem);
  const client = (commonName: string, organizations: string[] = []): KeyPair =>
    issueCertificate(ca, { commonName, organizations, usages: ['client'], validitySeconds: YEAR_SECONDS, now });
  const serving = issueCertificate(ca, {
    commonName: net.nodeName,
    dnsNames: [net.nodeName, 'localhost'],
    ipAddresses: [net.nodeIp, '127.0.0.1'],
    usages: ['server'],
    validitySeconds: YEAR_SECONDS,
    now,
  });
  write('kubelet-serving.crt', serving.certPem);
  write('kubelet-serving.key', serving.keyPem);
  const kubeconfig = (name: string, pair: KeyPair): string => write(`${name}.kubeconfig`, adminKubeconfig(server, ca.certPem, pair));
  return {
    kubelet: kubeconfig('kubelet', client(`system:node:${net.nodeName}`, ['system:nodes'])),
    controllerManager: kubeconfig('controller-manager', client('system:kube-controller-manager')),
    scheduler: kubeconfig('scheduler', client('system:kube-scheduler')),
  };
}
