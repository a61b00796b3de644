import { dirname } from 'node:path';
import { KubeRestClient, kubeAccessFromKubeconfig, type KubeAccess } from '@portcullis/shared/kube';
import type { ApiAccess } from './config/options.js';
import type { Files } from './io/files.js';

/**
 * The sidecar's own API access: a kubeconfig (development, e2e) or the projected API-audience token the
 * webhook mounts into the sidecar only. The token file is read on every call, so the kubelet's
 * rotation is picked up; the CA is read once at start. Files are read through main.ts's `files`.
 */
export async function sidecarKubeAccess(api: ApiAccess, files: Files): Promise<KubeAccess> {
  if (api.kind === 'token') {
    return { server: api.server, ca: files.readTextNow(api.caFile), bearerToken: () => files.readText(api.tokenFile) };
  }
  // yaml is only needed here (development and e2e), so it is not loaded in a pod.
  const { parse } = await import('yaml');
  // prettyErrors off: a syntax error would otherwise quote the offending line, which may hold a token.
  const doc: unknown = parse(files.readTextNow(api.path), { prettyErrors: false });
  return kubeAccessFromKubeconfig(doc, { baseDir: dirname(api.path), readText: files.readTextNow, readTextAsync: files.readText });
}

export async function sidecarKubeClient(api: ApiAccess, files: Files): Promise<KubeRestClient> {
  return new KubeRestClient(await sidecarKubeAccess(api, files));
}
