import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { applyPatch, deepClone, type Operation } from 'fast-json-patch';
import { SIDECAR_CONTAINER_NAME } from '@portcullis/shared';
import { parse, stringify } from 'yaml';
import { ANNOTATIONS } from './annotations.js';
import { planInjection, type InjectionPlan } from './patch.js';
import { TEST_CONFIG, TESTDATA_DIR, allSources, goldenCases, type GoldenCase } from './testdata/fixtures.js';

// Set PORTCULLIS_UPDATE_GOLDEN=1 to rewrite the *.golden.yaml files after an intended change; review the diff.
const update = process.env.PORTCULLIS_UPDATE_GOLDEN === '1';

/** Applies the plan's patch with an independent RFC 6902 implementation (fast-json-patch). */
function apply(pod: V1Pod, plan: InjectionPlan): V1Pod {
  return applyPatch(deepClone(pod) as V1Pod, deepClone(plan.patch) as Operation[], true, false).newDocument;
}

function run(c: GoldenCase, pod: V1Pod = c.pod): InjectionPlan {
  return planInjection({ pod, namespace: c.namespace, sourcesIn: () => c.sources, config: c.config });
}

describe('planInjection golden files (testdata/<case>.yaml → <case>.golden.yaml)', () => {
  it.each(goldenCases().map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const first = run(c);
    const output = apply(c.pod, first);
    const golden = { result: first.result, reason: first.reason, warnings: first.warnings, pod: output };
    const file = new URL(`${c.name}.golden.yaml`, TESTDATA_DIR);
    if (update) writeFileSync(file, stringify(golden, { lineWidth: 0 }));
    if (!existsSync(file)) throw new Error(`${c.name}.golden.yaml is missing: run with PORTCULLIS_UPDATE_GOLDEN=1 and review it`);
    expect(golden).toEqual(parse(readFileSync(file, 'utf8')));

    // Run twice: the webhook applied to its own output returns no patch.
    const second = run(c, output);
    expect(second.patch).toEqual([]);
    expect(['unchanged', 'skipped', 'denied']).toContain(second.result);
  });
});

const base = (annotations: Record<string, string>, spec: Partial<V1Pod['spec']> = {}): V1Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'team-a', annotations },
  spec: { containers: [{ name: 'app', image: 'app:1' }], ...spec },
});
const sources = allSources();
const planFor = (pod: V1Pod, config = TEST_CONFIG, available = sources.filter((s) => s.metadata.name === 'openai')): InjectionPlan =>
  planInjection({ pod, namespace: 'team-a', sourcesIn: () => available, config });
const inject = { [ANNOTATIONS.inject]: 'true' };

describe('planInjection', () => {
  it('adds the Vault-audience token only when an injected source uses Vault, and mounts it into the sidecar only', () => {
    const vaultPod = base({ ...inject, [ANNOTATIONS.sources]: 'openai-vault' });
    const withVault = apply(vaultPod, planFor(vaultPod, TEST_CONFIG, sources));
    const vaultVolume = withVault.spec?.volumes?.find((v) => v.name === 'portcullis-vault');
    expect(vaultVolume?.projected?.sources?.[0]?.serviceAccountToken?.audience).toBe('vault');
    expect(withVault.spec?.containers.flatMap((c) => c.volumeMounts ?? []).map((m) => m.name)).not.toContain('portcullis-vault');
    expect(withVault.spec?.initContainers?.[0]?.volumeMounts?.map((m) => m.mountPath)).toContain('/var/run/secrets/portcullis.dev/vault');
    const withoutVault = apply(base(inject), planFor(base(inject)));
    expect(withoutVault.spec?.volumes?.map((v) => v.name)).not.toContain('portcullis-vault');
  });

  it('mounts tokens and Secrets into the sidecar container only, never into app containers', () => {
    const out = apply(base(inject), planFor(base(inject)));
    const app = out.spec?.containers.find((c) => c.name === 'app') as V1Container;
    expect(app.volumeMounts ?? []).toEqual([]);
    const sidecar = out.spec?.initContainers?.[0];
    expect(sidecar?.name).toBe(SIDECAR_CONTAINER_NAME);
    expect(sidecar?.volumeMounts?.map((m) => m.mountPath)).toContain('/var/run/secrets/portcullis.dev/sources/openai');
  });

  it('does not put a credential-bearing env var into the sidecar or the app', () => {
    const out = apply(base(inject), planFor(base(inject)));
    const env = out.spec?.containers[0]?.env ?? [];
    expect(env.every((e) => e.valueFrom === undefined)).toBe(true);
    expect(env.find((e) => e.name === 'OPENAI_API_KEY')?.value).toBe('portcullis-placeholder');
  });

  it('hardens the sidecar: non-root, read-only root filesystem, no privilege escalation, drops ALL', () => {
    const sidecar = apply(base(inject), planFor(base(inject))).spec?.initContainers?.[0];
    expect(sidecar?.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(sidecar?.restartPolicy).toBe('Always');
    expect(sidecar?.startupProbe?.httpGet).toMatchObject({ path: '/readyz', port: 15190 });
  });

  it('adds env vars to containers another webhook added after the first pass (reinvocation), once', () => {
    const first = apply(base(inject), planFor(base(inject)));
    first.spec?.containers.push({ name: 'late', image: 'late:1' });
    const second = planFor(first);
    expect(second.result).toBe('injected');
    expect(second.reason).toBe('Reinvoked');
    const out = apply(first, second);
    expect(out.spec?.containers.find((c) => c.name === 'late')?.env?.map((e) => e.name)).toEqual(['OPENAI_BASE_URL', 'OPENAI_API_KEY']);
    expect(out.spec?.initContainers?.filter((c) => c.name === SIDECAR_CONTAINER_NAME)).toHaveLength(1);
    expect(planFor(out).patch).toEqual([]);
  });

  it('moves the HTTPS_PROXY port off a port a selected source listens on, and keeps it for containers added on reinvocation', () => {
    const proxyMode = { ...inject, [ANNOTATIONS.proxyMode]: 'true' };
    const onDefault = { ...sources.find((s) => s.metadata.name === 'openai'), spec: { ...sources.find((s) => s.metadata.name === 'openai')?.spec, port: 15191 } } as (typeof sources)[number];
    const pod = base(proxyMode);
    const plan = planFor(pod, TEST_CONFIG, [onDefault]);
    expect(plan.warnings).toContain("CredentialSource openai uses port 15191: the HTTPS_PROXY port (HTTPS_PROXY, --proxy-port) is 15192 instead");
    const first = apply(pod, plan);
    const args = first.spec?.initContainers?.[0]?.args ?? [];
    expect(args[args.indexOf('--proxy-port') + 1]).toBe('15192');
    first.spec?.containers.push({ name: 'late', image: 'late:1' });
    const out = apply(first, planFor(first, TEST_CONFIG, [onDefault]));
    const late = out.spec?.containers.find((c) => c.name === 'late')?.env ?? [];
    expect(late.find((e) => e.name === 'HTTPS_PROXY')?.value).toBe('http://127.0.0.1:15192');
    expect(planFor(out, TEST_CONFIG, [onDefault]).patch).toEqual([]);
  });

  it('turns HTTPS_PROXY mode on for a source with spec.proxyMode, unless the pod says portcullis.dev/proxy-mode: "false"', () => {
    const openai = sources.find((s) => s.metadata.name === 'openai');
    if (!openai) throw new Error('no openai source');
    const proxied = { ...openai, spec: { ...openai.spec, proxyMode: true } };
    const envOf = (pod: V1Pod): string[] => pod.spec?.containers[0]?.env?.map((e) => e.name) ?? [];
    const byDefault = apply(base(inject), planFor(base(inject), TEST_CONFIG, [proxied]));
    expect(envOf(byDefault)).toContain('HTTPS_PROXY');
    expect(byDefault.spec?.initContainers?.[0]?.args).toContain('--proxy-port');
    const optedOut = base({ ...inject, [ANNOTATIONS.proxyMode]: 'false' });
    const kept = apply(optedOut, planFor(optedOut, TEST_CONFIG, [proxied]));
    expect(envOf(kept)).not.toContain('HTTPS_PROXY');
    expect(kept.spec?.initContainers?.[0]?.args).not.toContain('--proxy-port');
    expect(envOf(apply(base(inject), planFor(base(inject), TEST_CONFIG, [openai])))).not.toContain('HTTPS_PROXY');
  });

  it('gives containers added to a proxy-mode pod injected before the port was recorded the default port', () => {
    const pod = base({ ...inject, [ANNOTATIONS.proxyMode]: 'true' });
    const first = apply(pod, planFor(pod));
    const annotations = first.metadata?.annotations ?? {};
    const status = JSON.parse(annotations[ANNOTATIONS.status] ?? '{}') as Record<string, unknown>;
    delete status.proxyPort;
    annotations[ANNOTATIONS.status] = JSON.stringify(status);
    first.spec?.containers.push({ name: 'late', image: 'late:1' });
    const out = apply(first, planFor(first));
    expect(out.spec?.containers.find((c) => c.name === 'late')?.env?.find((e) => e.name === 'HTTPS_PROXY')?.value).toBe('http://127.0.0.1:15191');
  });

  it('leaves an injected pod whose sidecar the API server has defaulted alone', () => {
    const out = apply(base(inject), planFor(base(inject)));
    const sidecar = out.spec?.initContainers?.[0] as V1Container;
    sidecar.terminationMessagePath = '/dev/termination-log';
    if (sidecar.startupProbe) sidecar.startupProbe.successThreshold = 1;
    expect(planFor(out).patch).toEqual([]);
  });

  it('answers "unavailable" rather than injecting from a cache that has not synced', () => {
    const plan = planInjection({ pod: base(inject), namespace: 'team-a', sourcesIn: () => undefined, config: TEST_CONFIG });
    expect(plan).toMatchObject({ result: 'unavailable', reason: 'SourcesNotSynced', patch: [] });
  });

  it('does not need the cache for pods that did not ask', () => {
    const plan = planInjection({ pod: base({}), namespace: 'team-a', sourcesIn: () => undefined, config: TEST_CONFIG });
    expect(plan).toMatchObject({ result: 'skipped', reason: 'NotRequested', patch: [] });
  });

  it('ignores the image annotation when image overrides are not allowed', () => {
    const pod = base({ ...inject, [ANNOTATIONS.image]: 'evil.example/proxy:1' });
    const plan = planFor(pod, { ...TEST_CONFIG, allowImageOverride: false });
    expect(apply(pod, plan).spec?.initContainers?.[0]?.image).toBe(TEST_CONFIG.image);
    expect(plan.warnings.join('\n')).toMatch(/does not allow image overrides/);
  });

  it('warns when no source exists in the namespace and still injects the proxy', () => {
    const plan = planFor(base(inject), TEST_CONFIG, []);
    expect(plan.result).toBe('injected');
    expect(plan.warnings.join('\n')).toMatch(/no CredentialSource exists/);
  });

  it('records the skip reason on a hostNetwork pod that asked for injection', () => {
    const hostNet: V1Pod = { metadata: { name: 'h', annotations: inject }, spec: { hostNetwork: true, containers: [{ name: 'a' }] } };
    const plan = planFor(hostNet);
    expect(plan).toMatchObject({ result: 'skipped', reason: 'HostNetwork' });
    expect(apply(hostNet, plan).metadata?.annotations?.[ANNOTATIONS.skipReason]).toBe('HostNetwork');
    expect(plan.warnings.join('\n')).toMatch(/hostNetwork/);
  });
});
