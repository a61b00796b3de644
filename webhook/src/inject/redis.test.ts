// The chart's Redis settings reach the sidecar only: its args, and the password/CA Secret mounted into the
// proxy container and no other. The sidecar parses those args (sidecar/src/config/contract.test.ts).
import { describe, expect, it } from '@jest/globals';
import type { V1Pod } from '@kubernetes/client-node';
import { applyPatch, deepClone, type Operation } from 'fast-json-patch';
import { MOUNT_PATHS, SIDECAR_CONTAINER_NAME, SIDECAR_REDIS_FILES, VOLUME_NAMES } from '@portcullis/shared';
import { ANNOTATIONS } from './annotations.js';
import type { InjectorConfig } from './config.js';
import { planInjection } from './patch.js';
import { TEST_CONFIG, allSources } from './testdata/fixtures.js';

function inject(config: InjectorConfig): V1Pod {
  const pod: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'team-a', annotations: { [ANNOTATIONS.inject]: 'true' } },
    spec: { containers: [{ name: 'app', image: 'app:1' }, { name: 'worker', image: 'worker:1' }] },
  };
  const plan = planInjection({ pod, namespace: 'team-a', sourcesIn: () => allSources(), config });
  return applyPatch(deepClone(pod) as V1Pod, deepClone(plan.patch) as Operation[], true, false).newDocument;
}

const containers = (pod: V1Pod): NonNullable<V1Pod['spec']>['containers'] => [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];

describe('Redis for the sidecar', () => {
  it('adds nothing when no Redis is configured', () => {
    const pod = inject(TEST_CONFIG);
    expect(pod.spec?.volumes?.some((v) => v.name === VOLUME_NAMES.redis)).toBe(false);
    expect(containers(pod).flatMap((c) => c.args ?? []).some((a) => a.startsWith('--redis'))).toBe(false);
  });

  it('passes address, TLS, password and CA files to the proxy, and mounts the Secret into the proxy only', () => {
    const pod = inject({ ...TEST_CONFIG, redis: { address: 'redis.portcullis.svc:6380', tls: true, secretName: 'portcullis-redis', passwordKey: 'redis-password', caKey: 'ca.crt' } });
    const proxy = containers(pod).find((c) => c.name === SIDECAR_CONTAINER_NAME);
    expect(proxy?.args).toEqual(expect.arrayContaining(['--redis-address', 'redis.portcullis.svc:6380', '--redis-tls', '--redis-password-file', SIDECAR_REDIS_FILES.password, '--redis-ca-file', SIDECAR_REDIS_FILES.ca]));
    expect(proxy?.volumeMounts).toContainEqual({ name: VOLUME_NAMES.redis, mountPath: MOUNT_PATHS.redis, readOnly: true });
    const volume = pod.spec?.volumes?.find((v) => v.name === VOLUME_NAMES.redis);
    expect(volume?.secret).toMatchObject({ secretName: 'portcullis-redis', optional: true, items: [{ key: 'redis-password', path: 'password' }, { key: 'ca.crt', path: 'ca.crt' }] });
    for (const c of containers(pod).filter((x) => x.name !== SIDECAR_CONTAINER_NAME)) {
      expect(c.volumeMounts?.some((m) => m.name === VOLUME_NAMES.redis) ?? false).toBe(false);
      expect(JSON.stringify(c.env ?? [])).not.toContain('redis');
    }
  });

  it('a Redis without a Secret gets an address and no files', () => {
    const pod = inject({ ...TEST_CONFIG, redis: { address: 'redis:6379', tls: false, secretName: undefined, passwordKey: 'password', caKey: undefined } });
    const proxy = containers(pod).find((c) => c.name === SIDECAR_CONTAINER_NAME);
    expect(proxy?.args).toEqual(expect.arrayContaining(['--redis-address', 'redis:6379']));
    expect(proxy?.args).not.toContain('--redis-password-file');
    expect(pod.spec?.volumes?.some((v) => v.name === VOLUME_NAMES.redis)).toBe(false);
  });
});
