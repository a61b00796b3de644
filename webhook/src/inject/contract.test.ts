// The webhook side of the webhook↔sidecar contract (@portcullis/shared contract/): the injected proxy
// gets the args sidecarArgs() builds, and every file the sidecar reads by default is in a volume mounted
// into the proxy. The sidecar side (sidecar/src/config/contract.test.ts) parses those args with the
// sidecar's own parseOptions and checks it reads exactly these files.
import { posix } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { V1Container, V1Pod, V1Volume } from '@kubernetes/client-node';
import { applyPatch, deepClone, type Operation } from 'fast-json-patch';
import {
  IDENTITY_AUDIENCE,
  MOUNT_PATHS,
  POD_NAMESPACE_ENV,
  SIDECAR_CONTAINER_NAME,
  SIDECAR_DEFAULT_FILES,
  sidecarArgs,
  type CredentialSource,
} from '@portcullis/shared';
import { ANNOTATIONS } from './annotations.js';
import { originTokensVolume } from './origin-tokens.js';
import { planInjection } from './patch.js';
import { TEST_CONFIG, allSources } from './testdata/fixtures.js';

function injectedProxy(sources: readonly CredentialSource[], annotations: Record<string, string> = {}): { proxy: V1Container; volumes: readonly V1Volume[] } {
  const pod: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'team-a', annotations: { [ANNOTATIONS.inject]: 'true', ...annotations } },
    spec: { containers: [{ name: 'app', image: 'app:1' }] },
  };
  const plan = planInjection({ pod, namespace: 'team-a', sourcesIn: () => sources, config: TEST_CONFIG });
  const out = applyPatch(deepClone(pod) as V1Pod, deepClone(plan.patch) as Operation[], true, false).newDocument;
  const proxy = [...(out.spec?.initContainers ?? []), ...(out.spec?.containers ?? [])].find((c) => c.name === SIDECAR_CONTAINER_NAME);
  if (!proxy) throw new Error('no proxy container injected');
  return { proxy, volumes: out.spec?.volumes ?? [] };
}

/** The file names a volume provides at its root (projected tokens and ConfigMap items, downward API). */
function filesOf(volume: V1Volume | undefined): string[] {
  const projected = (volume?.projected?.sources ?? []).flatMap((s) => [
    ...(s.serviceAccountToken ? [s.serviceAccountToken.path] : []),
    ...(s.configMap?.items ?? []).map((i) => i.path),
  ]);
  return [...projected, ...(volume?.downwardAPI?.items ?? []).map((i) => i.path)];
}

/** The volume mounted into the proxy at the folder of `file`, if it provides that file. */
function volumeProviding(file: string, proxy: V1Container, volumes: readonly V1Volume[]): V1Volume | undefined {
  const mount = (proxy.volumeMounts ?? []).find((m) => m.mountPath === posix.dirname(file));
  const volume = volumes.find((v) => v.name === mount?.name);
  return filesOf(volume).includes(posix.basename(file)) ? volume : undefined;
}

describe('the sidecar contract, webhook side', () => {
  const sources = allSources();

  it.each([
    ['identity token', SIDECAR_DEFAULT_FILES.identityToken],
    ['API token', SIDECAR_DEFAULT_FILES.apiToken],
    ['API CA', SIDECAR_DEFAULT_FILES.apiCa],
    ['STS token', SIDECAR_DEFAULT_FILES.stsToken],
    ['labels file', SIDECAR_DEFAULT_FILES.labels],
  ])('mounts the %s where the sidecar reads it by default', (_what, file) => {
    const { proxy, volumes } = injectedProxy(sources.filter((s) => s.metadata.name === 's3'));
    expect(volumeProviding(file, proxy, volumes)).toBeDefined();
  });

  it("mounts a source's origin token at <originTokensDir>/<source>, where the sidecar reads it", () => {
    const out = originTokensVolume([{ source: 'blob', audience: 'api://AzureADTokenExchange' }], 3600);
    if (!out) throw new Error('no origin-token volume');
    const proxy: V1Container = { name: SIDECAR_CONTAINER_NAME, volumeMounts: [out.mount] };
    expect(volumeProviding(`${SIDECAR_DEFAULT_FILES.originTokensDir}/blob`, proxy, [out.volume])).toBeDefined();
  });

  it('requests the identity token for the audience the sidecar reviews', () => {
    const { proxy, volumes } = injectedProxy(sources.filter((s) => s.metadata.name === 'openai'));
    const volume = volumeProviding(SIDECAR_DEFAULT_FILES.identityToken, proxy, volumes);
    expect(volume?.projected?.sources?.[0]?.serviceAccountToken?.audience).toBe(IDENTITY_AUDIENCE);
  });

  it("mounts each source's Secret under the sidecar's secrets folder, named after the source", () => {
    const { proxy } = injectedProxy(sources.filter((s) => s.metadata.name === 'openai' || s.metadata.name === 'dynamodb'));
    const paths = (proxy.volumeMounts ?? []).map((m) => m.mountPath).filter((p) => p.startsWith(`${SIDECAR_DEFAULT_FILES.secretsDir}/`));
    expect(paths.sort()).toEqual([`${MOUNT_PATHS.sources}/dynamodb`, `${MOUNT_PATHS.sources}/openai`]);
  });

  it('mounts nothing for a source the sidecar will not serve (resolveSource), and says so', () => {
    const bad: CredentialSource = { ...sources.find((s) => s.metadata.name === 's3')!, spec: { type: 'aws', port: 18100, aws: { webIdentity: { roleArn: 'arn:aws:iam::123456789012:user/bob' } } } };
    const pod: V1Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'team-a', annotations: { [ANNOTATIONS.inject]: 'true' } }, spec: { containers: [{ name: 'app', image: 'app:1' }] } };
    const plan = planInjection({ pod, namespace: 'team-a', sourcesIn: () => [bad], config: TEST_CONFIG });
    const { proxy } = injectedProxy([bad]);
    expect(proxy.volumeMounts?.some((m) => m.mountPath === MOUNT_PATHS.sts)).toBe(false);
    expect(plan.warnings).toContainEqual(expect.stringMatching(/^CredentialSource s3 is invalid \(.*is not an IAM role ARN.*\): the sidecar will not serve it/));
  });

  it('passes the args sidecarArgs builds and the namespace in the env var they reference', () => {
    const { proxy } = injectedProxy(sources.filter((s) => s.metadata.name === 'openai'), { [ANNOTATIONS.sources]: 'openai', [ANNOTATIONS.logLevel]: 'debug' });
    expect(proxy.args).toEqual(
      sidecarArgs({ sources: ['openai'], logLevel: 'debug', youngGenerationMiB: TEST_CONFIG.youngGenerationMiB, adminPort: 15190, identityReviewIntervalSeconds: TEST_CONFIG.identityReviewIntervalSeconds }),
    );
    expect(proxy.args).toContain(`$(${POD_NAMESPACE_ENV})`);
    expect(proxy.env).toContainEqual({ name: POD_NAMESPACE_ENV, valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } });
  });
});
