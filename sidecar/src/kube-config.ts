import { KubeConfig } from '@kubernetes/client-node';
import type { ApiAccess } from './config/options.js';

/**
 * The sidecar's own API access: a kubeconfig (development, e2e) or the projected API-audience token the
 * webhook mounts into the sidecar only. client-node re-reads a token file as the kubelet rotates it.
 */
export function sidecarKubeConfig(api: ApiAccess): KubeConfig {
  const kc = new KubeConfig();
  if (api.kind === 'kubeconfig') {
    kc.loadFromFile(api.path);
    return kc;
  }
  kc.loadFromOptions({
    clusters: [{ name: 'cluster', server: api.server, caFile: api.caFile, skipTLSVerify: false }],
    users: [{ name: 'portcullis-sidecar', authProvider: { name: 'tokenFile', config: { tokenFile: api.tokenFile } } }],
    contexts: [{ name: 'sidecar', cluster: 'cluster', user: 'portcullis-sidecar' }],
    currentContext: 'sidecar',
  });
  return kc;
}
