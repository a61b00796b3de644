// Prints what the webhook added to the demo pod, the way a curious operator would look at it.
import type { V1Container, V1Pod, V1Volume } from '@kubernetes/client-node';
import { detail } from './print.js';

function volumeKind(v: V1Volume): string {
  if (v.projected) {
    const sources = v.projected.sources ?? [];
    return `projected ${sources.map((s) => (s.serviceAccountToken ? `token(audience ${s.serviceAccountToken.audience ?? 'API server'})` : Object.keys(s)[0])).join(', ')}`;
  }
  if (v.secret) return `secret ${v.secret.secretName ?? ''}`;
  return Object.keys(v).filter((k) => k !== 'name').join(',');
}

function describeProxy(proxy: V1Container | undefined, native: boolean): void {
  if (!proxy) return detail('sidecar: none (was the pod injected?)');
  detail(`sidecar: ${proxy.name} (${native ? 'native sidecar: first init container, restartPolicy Always' : 'regular container'})`);
  detail(`  args: ${(proxy.args ?? []).join(' ')}`);
  detail(`  securityContext: ${JSON.stringify(proxy.securityContext ?? {})}`);
  detail(`  mounts (sidecar only): ${(proxy.volumeMounts ?? []).map((m) => m.mountPath).join(', ')}`);
}

function describeApp(app: V1Container | undefined): void {
  detail(`app env: ${(app?.env ?? []).map((e) => `${e.name}=${e.value ?? '(ref)'}`).join('  ')}`);
  detail(`app mounts: ${(app?.volumeMounts ?? []).map((m) => m.mountPath).join(', ') || '(none of ours)'}`);
}

export function describeInjection(pod: V1Pod): void {
  const inits = pod.spec?.initContainers ?? [];
  const containers = pod.spec?.containers ?? [];
  const nativeProxy = inits.find((c) => c.name === 'portcullis-proxy');
  describeProxy(nativeProxy ?? containers.find((c) => c.name === 'portcullis-proxy'), nativeProxy?.restartPolicy === 'Always');
  for (const v of pod.spec?.volumes ?? []) detail(`  volume ${v.name}: ${volumeKind(v)}`);
  describeApp(containers.find((c) => c.name === 'app'));
  detail(`annotation portcullis.dev/status: ${pod.metadata?.annotations?.['portcullis.dev/status'] ?? '(none)'}`);
}
