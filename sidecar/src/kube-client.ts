import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { KubeRestClient, kubeAccessFromKubeconfig, type KubeAccess } from '@portcullis/shared/kube';
import type { ApiAccess } from './config/options.js';

/**
 * The sidecar's own API access: a kubeconfig (development, e2e) or the projected API-audience token the
 * webhook mounts into the sidecar only. The token file is read on every call, so the kubelet's
 * rotation is picked up; the CA is read once at start.
 */
export async function sidecarKubeAccess(api: ApiAccess): Promise<KubeAccess> {
  const readTextAsync = (path: string): Promise<string> => readFile(path, 'utf8');
  if (api.kind === 'token') {
    return { server: api.server, ca: readFileSync(api.caFile, 'utf8'), bearerToken: () => readTextAsync(api.tokenFile) };
  }
  // yaml is only needed here (development and e2e), so it is not loaded in a pod.
  const { parse } = await import('yaml');
  // prettyErrors off: a syntax error would otherwise quote the offending line, which may hold a token.
  const doc: unknown = parse(readFileSync(api.path, 'utf8'), { prettyErrors: false });
  return kubeAccessFromKubeconfig(doc, { baseDir: dirname(api.path), readText: (p) => readFileSync(p, 'utf8'), readTextAsync });
}

export async function sidecarKubeClient(api: ApiAccess): Promise<KubeRestClient> {
  return new KubeRestClient(await sidecarKubeAccess(api));
}
