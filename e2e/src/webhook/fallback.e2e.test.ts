// --sidecar-mode container (what `auto` picks on API servers before 1.29): the proxy is the first
// regular container and its postStart hook holds the app containers until /readyz answers.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { V1Pod } from '@kubernetes/client-node';
import { kubectl } from '../support/cluster.js';
import { startWorld, type World } from './world.js';

describe('the regular-container fallback', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld({ args: ['--sidecar-mode', 'container'] });
  }, 90_000);

  afterAll(async () => {
    await world?.cleanup();
  }, 120_000);

  it('puts the proxy first among the containers with a postStart hook that waits for /readyz', async () => {
    const ns = world.namespaces[0] ?? '';
    const manifest = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'legacy', annotations: { 'portcullis.dev/inject': 'true' } },
      spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] },
    };
    expect((await kubectl(['apply', '-f', '-'], { namespace: ns, input: JSON.stringify(manifest) })).code).toBe(0);
    const pod = JSON.parse((await kubectl(['get', 'pod', 'legacy', '-o', 'json'], { namespace: ns })).stdout) as V1Pod;
    expect(world.webhook.nativeSidecar).toBe(false);
    expect(pod.spec?.initContainers).toBeUndefined();
    expect(pod.spec?.containers.map((c) => c.name)).toEqual(['portcullis-proxy', 'app']);
    const proxy = pod.spec?.containers[0];
    expect(proxy?.restartPolicy).toBeUndefined();
    expect(proxy?.lifecycle?.postStart?.exec?.command).toEqual(['/usr/local/bin/portcullis-sidecar', 'wait-ready', '--port', '15190', '--timeout-seconds', '120']);
    expect(JSON.parse(pod.metadata?.annotations?.['portcullis.dev/status'] ?? '{}')).toMatchObject({ mode: 'container' });
  });
});
