import { describe, expect, it } from '@jest/globals';
import type { V1Container, V1Pod, V1Volume } from '@kubernetes/client-node';
import { MOUNT_PATHS, SIDECAR_CONTAINER_NAME, VOLUME_NAMES } from '@portcullis/shared';
import { applyPatch, deepClone, type Operation } from 'fast-json-patch';
import { ANNOTATIONS } from './annotations.js';
import { checkNames, hasOwnShape, isProxyCopy } from './clash.js';
import { planInjection, type InjectionPlan } from './patch.js';
import { TEST_CONFIG, allSources } from './testdata/fixtures.js';

const sources = allSources().filter((s) => ['openai', 's3'].includes(s.metadata.name ?? ''));
const plan = (pod: V1Pod): InjectionPlan => planInjection({ pod, namespace: 'team-a', sourcesIn: () => sources, config: TEST_CONFIG });
const apply = (pod: V1Pod, p: InjectionPlan): V1Pod => applyPatch(deepClone(pod) as V1Pod, deepClone(p.patch) as Operation[], true, false).newDocument;

function pod(volumes: V1Volume[], containers: V1Container[], annotations: Record<string, string> = {}): V1Pod {
  return { metadata: { name: 'p', annotations: { [ANNOTATIONS.inject]: 'true', ...annotations } }, spec: { containers, volumes } };
}

const OUR_NAMES = [VOLUME_NAMES.identity, VOLUME_NAMES.api, VOLUME_NAMES.sts, VOLUME_NAMES.podinfo, 'portcullis-src-openai', 'portcullis-src-s3'];
const SHAPES: Record<string, Omit<V1Volume, 'name'>> = {
  emptyDir: { emptyDir: {} },
  token: { projected: { sources: [{ serviceAccountToken: { audience: 'portcullis', path: 'token' } }] } },
  secret: { secret: { secretName: 'mine' } },
  labels: { downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
  configMap: { configMap: { name: 'settings' } },
};

describe('names the pod already uses', () => {
  // Every name we use × every kind of volume × mounted by the app or not: either the pod is refused, or
  // no container but the proxy mounts anything the webhook added, and the app keeps what it mounted.
  const cases = OUR_NAMES.flatMap((name) => Object.keys(SHAPES).flatMap((shape) => [[name, shape, true] as const, [name, shape, false] as const]));
  it.each(cases)('never hands the app one of our volumes: %s as %s, mounted by the app: %s', (name, shape, mounted) => {
    const app: V1Container = { name: 'app', image: 'app:1', ...(mounted ? { volumeMounts: [{ name, mountPath: '/data' }] } : {}) };
    const input = pod([{ name, ...SHAPES[shape] }], [app]);
    const p = plan(input);
    if (p.result === 'denied') {
      expect(p.reason).toBe('NameClash');
      expect(p.patch).toEqual([]);
      expect(p.message).toContain(`volume named ${name}`);
      expect(p.warnings.join('\n')).toMatch(/\[NAME_CLASH\].*rename/);
      return;
    }
    const out = apply(input, p);
    const added = new Set((JSON.parse(out.metadata?.annotations?.[ANNOTATIONS.status] ?? '{}') as { volumes: string[] }).volumes);
    const appOut = out.spec?.containers.find((c) => c.name === 'app');
    expect((appOut?.volumeMounts ?? []).filter((m) => added.has(m.name))).toEqual([]);
    expect(appOut?.volumeMounts ?? []).toEqual(app.volumeMounts ?? []);
    if (mounted) expect(out.spec?.volumes?.find((v) => v.name === name)).toEqual({ name, ...SHAPES[shape] });
  });

  it('refuses the issue\'s pod: an emptyDir called portcullis-identity, mounted by the app at /data', () => {
    const p = plan(pod([{ name: VOLUME_NAMES.identity, emptyDir: {} }], [{ name: 'app', volumeMounts: [{ name: VOLUME_NAMES.identity, mountPath: '/data' }] }]));
    expect(p).toMatchObject({ result: 'denied', reason: 'NameClash', patch: [] });
    expect(p.message).toBe('[NAME_CLASH] the pod has its own volume named portcullis-identity (mounted by container app at /data), a name the injected proxy needs for its own volume: rename that volume and its mounts');
  });

  it('refuses a token-shaped volume of ours that an app container mounts, even when the status annotation lists it', () => {
    const status = JSON.stringify({ version: 1, volumes: [VOLUME_NAMES.identity] });
    const token = { name: VOLUME_NAMES.identity, ...SHAPES.token };
    const p = plan(pod([token], [{ name: 'app', volumeMounts: [{ name: VOLUME_NAMES.identity, mountPath: '/t' }] }], { [ANNOTATIONS.status]: status }));
    expect(p.result).toBe('denied');
  });

  it('never deletes a container of the pod that is only named like the proxy', () => {
    const imposter: V1Container = {
      name: SIDECAR_CONTAINER_NAME,
      image: 'squid:6',
      // Our identity mount but not our admin port: not our shape.
      volumeMounts: [{ name: VOLUME_NAMES.identity, mountPath: MOUNT_PATHS.identity }],
    };
    expect(isProxyCopy(imposter)).toBe(false);
    const p = plan(pod([], [imposter, { name: 'app' }]));
    expect(p).toMatchObject({ result: 'denied', reason: 'NameClash', patch: [] });
    expect(p.message).toMatch(/own container named portcullis-proxy.*rename that container/);
  });

  it('keeps a volume of the pod that uses our prefix under a name the injection does not need', () => {
    const notes: V1Volume = { name: 'portcullis-src-notes', secret: { secretName: 'notes' } };
    const input = pod([notes], [{ name: 'app' }]);
    const out = apply(input, plan(input));
    expect(out.spec?.volumes?.filter((v) => v.name === notes.name)).toEqual([notes]);
  });

  it('recognises our shapes by kind and name', () => {
    expect(hasOwnShape({ name: VOLUME_NAMES.api, projected: { sources: [{ serviceAccountToken: { path: 'token' } }, { configMap: { name: 'kube-root-ca.crt' } }] } })).toBe(true);
    expect(hasOwnShape({ name: VOLUME_NAMES.api, projected: { sources: [{ serviceAccountToken: { path: 'token' } }, { configMap: { name: 'mine' } }] } })).toBe(false);
    expect(hasOwnShape({ name: VOLUME_NAMES.podinfo, emptyDir: {} })).toBe(false);
    expect(hasOwnShape({ name: 'portcullis-src-a', secret: { secretName: 'a' } })).toBe(true);
    expect(hasOwnShape({ name: VOLUME_NAMES.identity, projected: { sources: [] } })).toBe(false);
  });

  it('drops a stale copy only together with the stale proxy that mounts it', () => {
    const proxy: V1Container = {
      name: SIDECAR_CONTAINER_NAME,
      ports: [{ name: 'portcullis-adm', containerPort: 15090 }],
      volumeMounts: [{ name: VOLUME_NAMES.identity, mountPath: MOUNT_PATHS.identity }],
    };
    const check = checkNames(pod([{ name: VOLUME_NAMES.identity, ...SHAPES.token }], [proxy, { name: 'app' }]), [VOLUME_NAMES.identity]);
    expect(check).toEqual({ dropProxy: true, dropVolumes: new Set([VOLUME_NAMES.identity]), clashes: [], replaced: ['container portcullis-proxy', 'volume portcullis-identity'] });
  });
});
