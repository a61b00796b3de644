import { join } from 'node:path';

/** Where one control plane keeps its state, certificates, data and logs (all under the ignored cache). */
export interface ClusterLayout {
  readonly dir: string;
  readonly stateFile: string;
  readonly pkiDir: string;
  readonly etcdDataDir: string;
  readonly logDir: string;
  readonly kubeconfig: string;
}

export function clusterLayout(dir: string): ClusterLayout {
  return {
    dir,
    stateFile: join(dir, 'state.json'),
    pkiDir: join(dir, 'pki'),
    etcdDataDir: join(dir, 'etcd-data'),
    logDir: join(dir, 'logs'),
    kubeconfig: join(dir, 'kubeconfig'),
  };
}

/** What a running control plane looks like to the tests: written by `up`, read by everyone else. */
export interface ClusterState {
  readonly server: string;
  readonly kubeconfig: string;
  readonly binDir: string;
  readonly version: string;
  readonly serviceAccountIssuer: string;
  readonly processes: readonly { readonly name: string; readonly pid: number; readonly log: string }[];
}
