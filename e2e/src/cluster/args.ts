import { join } from 'node:path';
import type { ClusterLayout } from './layout.js';

export interface Ports {
  readonly apiserver: number;
  readonly etcdClient: number;
  readonly etcdPeer: number;
}

export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

/** etcd on loopback only; fsync off because the data is thrown away with the cluster. */
export function etcdArgs(layout: ClusterLayout, ports: Ports): string[] {
  const client = `http://127.0.0.1:${ports.etcdClient}`;
  const peer = `http://127.0.0.1:${ports.etcdPeer}`;
  return [
    '--name=portcullis-e2e',
    `--data-dir=${layout.etcdDataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=portcullis-e2e=${peer}`,
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ];
}

/**
 * kube-apiserver flags in the manner of controller-runtime's envtest: secure serving on 127.0.0.1 with
 * our certificate, client-certificate admin, a service-account issuer and signing key, RBAC. Without the
 * e2e node (`make node-up`, e2e/src/node) pods stay Pending (enough for admission and TokenRequest); for
 * the node it authorizes kubelets (Node authorizer, NodeRestriction), calls them with its own client
 * certificate for logs and exec, checks their serving certificates against the cluster CA, and calls
 * webhooks at their endpoints' pod IPs (there is no kube-proxy to route a Service's ClusterIP).
 */
export function apiserverArgs(layout: ClusterLayout, ports: Ports): string[] {
  const pki = (file: string): string => join(layout.pkiDir, file);
  return [
    `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${ports.apiserver}`,
    `--cert-dir=${layout.pkiDir}`,
    `--tls-cert-file=${pki('apiserver.crt')}`,
    `--tls-private-key-file=${pki('apiserver.key')}`,
    `--client-ca-file=${pki('ca.crt')}`,
    `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
    `--service-account-key-file=${pki('sa.pub')}`,
    `--service-account-signing-key-file=${pki('sa.key')}`,
    '--authorization-mode=Node,RBAC',
    '--enable-admission-plugins=NodeRestriction',
    `--kubelet-client-certificate=${pki('apiserver-kubelet-client.crt')}`,
    `--kubelet-client-key=${pki('apiserver-kubelet-client.key')}`,
    `--kubelet-certificate-authority=${pki('ca.crt')}`,
    '--kubelet-preferred-address-types=InternalIP',
    '--enable-aggregator-routing=true',
    '--service-cluster-ip-range=10.96.0.0/16',
    '--allow-privileged=true',
    '--endpoint-reconciler-type=none',
    '--enable-priority-and-fairness=false',
    '--profiling=false',
    '--v=1',
  ];
}
