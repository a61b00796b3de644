// The chart renders what an operator of a locked-down cluster expects, and its values schema rejects
// mistakes at `helm install` time. Rendering only: install.e2e.test.ts puts the chart on the API server.
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { helm } from '../support/cluster.js';
import { KUBE_VERSION, TEST_TIMEOUT_MS, chartDir, helmWithValues, render, webhookFlags, type K8sObject } from './chart.js';
import { repoRoot } from './paths.js';

interface ParsedWebhookOptions {
  readonly namespace: string;
  readonly identity: string;
  readonly injector: {
    readonly image: string;
    readonly imagePullPolicy: string;
    readonly resources: { readonly requests: Record<string, string>; readonly limits: Record<string, string> };
    readonly excludedNamespaces: ReadonlySet<string>;
    readonly allowImageOverride: boolean;
    readonly logLevel: string | undefined;
    readonly youngGenerationMiB: number | undefined;
    readonly identityReviewIntervalSeconds: number;
    readonly imagePullSecrets: readonly string[];
  };
  readonly tls: { readonly mode: string; readonly secretName?: string; readonly webhookConfigName?: string; readonly certFile?: string };
  readonly status: { readonly checkSecrets: boolean };
}
type ParseWebhookOptions = (argv: readonly string[], env: Readonly<Record<string, string | undefined>>) => ParsedWebhookOptions;

/** The webhook's own flag parser (TypeScript source, loaded through jest's transform). */
async function webhookParser(): Promise<ParseWebhookOptions> {
  const module = (await import(join(repoRoot, 'webhook/src/config/parse.ts'))) as { parseOptions: ParseWebhookOptions };
  return module.parseOptions;
}

/** What the webhook container would parse: the chart's args, with the env the Deployment sets. */
async function parseRendered(values: object): Promise<ParsedWebhookOptions> {
  const deployment = (await render(values, { release: 'pc', namespace: 'portcullis' })).one('Deployment');
  const container = podSpec(deployment).containers.find((c) => c.name === 'webhook');
  return (await webhookParser())(container?.args ?? [], { POD_NAME: 'pc-portcullis-webhook-0' });
}

interface Container {
  name: string;
  image: string;
  args: string[];
  securityContext: Record<string, unknown>;
  livenessProbe?: { httpGet: { path: string; port: string } };
  readinessProbe?: { httpGet: { path: string; port: string } };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  securityContext: Record<string, unknown>;
  containers: Container[];
  affinity?: { podAntiAffinity: Record<string, unknown> };
  volumes: { name: string; secret?: { secretName: string } }[];
  automountServiceAccountToken: boolean;
}
interface Webhook {
  name: string;
  failurePolicy: string;
  timeoutSeconds: number;
  sideEffects: string;
  reinvocationPolicy: string;
  admissionReviewVersions: string[];
  clientConfig: { caBundle?: string; service: { name: string; namespace: string; path: string; port: number } };
  rules: unknown[];
  namespaceSelector: { matchLabels?: Record<string, string>; matchExpressions: { key: string; operator: string; values: string[] }[] };
  objectSelector: Record<string, unknown>;
  matchConditions: { name: string; expression: string }[];
}
interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

const podSpec = (d: K8sObject): PodSpec => (d.spec as { template: { spec: PodSpec } }).template.spec;
const webhookOf = (mwc: K8sObject): Webhook => (mwc.webhooks as Webhook[])[0] as Webhook;
const rulesOf = (role: K8sObject): Rule[] => role.rules as Rule[];
const grants = (rules: Rule[], resource: string): Rule[] => rules.filter((r) => r.resources.includes(resource));

describe('helm lint', () => {
  it('is clean with --strict', async () => {
    const result = await helm(['lint', '--strict', chartDir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(result.stdout).not.toMatch(/\[(INFO|WARNING|ERROR)\]/);
  }, TEST_TIMEOUT_MS);
});

describe('the default rendering', () => {
  it('runs two webhook replicas spread over nodes, protected by a PodDisruptionBudget', async () => {
    const r = await render();
    const deployment = r.one('Deployment');
    expect((deployment.spec as { replicas: number }).replicas).toBe(2);
    expect(podSpec(deployment).affinity?.podAntiAffinity).toHaveProperty('preferredDuringSchedulingIgnoredDuringExecution');
    const pdb = r.one('PodDisruptionBudget');
    expect(pdb.spec).toMatchObject({ minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/component': 'webhook' } } });
  }, TEST_TIMEOUT_MS);

  it('hardens the webhook pod: non-root, read-only root, no capabilities, no escalation, RuntimeDefault seccomp', async () => {
    const spec = podSpec((await render()).one('Deployment'));
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
    for (const c of spec.containers) {
      expect(c.securityContext).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'admin' });
      expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'admin' });
    }
  }, TEST_TIMEOUT_MS);

  it('gives the webhook the sidecar defaults, its own names and self-signed TLS as flags', async () => {
    const r = await render({}, { release: 'pc', namespace: 'portcullis' });
    const flags = webhookFlags(r.one('Deployment'));
    expect(Object.fromEntries(flags)).toMatchObject({
      namespace: 'portcullis',
      'sidecar-image': 'ghcr.io/portcullis/sidecar:0.1.0',
      'sidecar-cpu-request': '50m',
      'sidecar-memory-request': '96Mi',
      'sidecar-cpu-limit': '1',
      'sidecar-memory-limit': '256Mi',
      'allow-image-override': 'false',
      'excluded-namespaces': 'kube-system,kube-public,kube-node-lease,portcullis',
      'tls-mode': 'secret',
      'tls-secret-name': 'pc-portcullis-webhook-tls',
      'webhook-config-name': 'pc-portcullis-webhook',
      'service-name': 'pc-portcullis-webhook',
      'lease-name': 'pc-portcullis-webhook',
      'check-secrets': 'false',
    });
    expect(podSpec(r.one('Deployment')).containers[0]?.image).toBe('ghcr.io/portcullis/webhook:0.1.0');
  }, TEST_TIMEOUT_MS);

  it('registers the webhook for pod creation only, excluding system namespaces and its own', async () => {
    const r = await render({}, { namespace: 'portcullis' });
    const w = webhookOf(r.one('MutatingWebhookConfiguration'));
    expect(w).toMatchObject({
      name: 'inject.portcullis.dev',
      failurePolicy: 'Fail',
      timeoutSeconds: 5,
      sideEffects: 'NoneOnDryRun',
      reinvocationPolicy: 'IfNeeded',
      admissionReviewVersions: ['v1'],
      clientConfig: { service: { name: 'pc-portcullis-webhook', namespace: 'portcullis', path: '/mutate', port: 443 } },
      rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' }],
    });
    expect(w.namespaceSelector.matchExpressions).toContainEqual({
      key: 'kubernetes.io/metadata.name',
      operator: 'NotIn',
      values: ['kube-system', 'kube-public', 'kube-node-lease', 'portcullis'],
    });
    expect(w.clientConfig.caBundle).toBeUndefined();
    expect(w.matchConditions.map((c) => c.expression).join(' ')).toContain("'portcullis.dev/inject'");
  }, TEST_TIMEOUT_MS);

  it('grants the sidecar role reads on our resources and TokenReview create, and nothing on Secrets', async () => {
    const r = await render();
    const read = rulesOf(r.one('ClusterRole', 'pc-portcullis-sidecar'));
    const review = rulesOf(r.one('ClusterRole', 'pc-portcullis-sidecar-tokenreview'));
    expect(read).toEqual([{ apiGroups: ['portcullis.dev'], resources: ['credentialsources', 'egresspolicies'], verbs: ['get', 'list', 'watch'] }]);
    expect(review).toEqual([{ apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] }]);
  }, TEST_TIMEOUT_MS);

  it('limits the webhook to its own TLS Secret, Lease and MutatingWebhookConfiguration by name', async () => {
    const r = await render();
    const cluster = rulesOf(r.one('ClusterRole', 'pc-portcullis-webhook'));
    expect(grants(cluster, 'secrets')).toEqual([]);
    expect(grants(cluster, 'mutatingwebhookconfigurations')).toEqual([
      expect.objectContaining({ resourceNames: ['pc-portcullis-webhook'], verbs: ['get', 'update', 'patch'] }),
    ]);
    const ns = rulesOf(r.one('Role', 'pc-portcullis-webhook'));
    expect(grants(ns, 'secrets')).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['pc-portcullis-webhook-tls'], verbs: ['get', 'update'] },
    ]);
  }, TEST_TIMEOUT_MS);

  it('binds no sidecar service account until the operator lists one', async () => {
    const r = await render();
    expect(r.all('RoleBinding').map((b) => b.metadata.name)).toEqual(['pc-portcullis-webhook']);
    expect(r.all('ClusterRoleBinding').map((b) => b.metadata.name)).toEqual(['pc-portcullis-webhook']);
  }, TEST_TIMEOUT_MS);
});

describe('the webhook accepts the flags the chart passes', () => {
  it('with the default values: sidecar defaults, exclusions and self-signed TLS', async () => {
    const options = await parseRendered({});
    expect(options.namespace).toBe('portcullis');
    expect(options.identity).toBe('pc-portcullis-webhook-0');
    expect(options.injector).toMatchObject({
      image: 'ghcr.io/portcullis/sidecar:0.1.0',
      imagePullPolicy: 'IfNotPresent',
      resources: { requests: { cpu: '50m', memory: '96Mi' }, limits: { cpu: '1', memory: '256Mi' } },
      allowImageOverride: false,
      logLevel: undefined,
      youngGenerationMiB: undefined,
      identityReviewIntervalSeconds: 900,
      imagePullSecrets: [],
    });
    expect([...options.injector.excludedNamespaces].sort()).toEqual(['kube-node-lease', 'kube-public', 'kube-system', 'portcullis']);
    expect(options.tls).toMatchObject({ mode: 'secret', secretName: 'pc-portcullis-webhook-tls', webhookConfigName: 'pc-portcullis-webhook' });
    expect(options.status.checkSecrets).toBe(false);
  }, TEST_TIMEOUT_MS);

  it.each([
    ['cert-manager TLS', { tls: { mode: 'cert-manager' } }, 'files'],
    ['an existing TLS Secret', { tls: { mode: 'secret', secret: { name: 'cert', caBundle: 'Q0E=' } } }, 'files'],
    ['every sidecar value set', { sidecar: { logLevel: 'debug', youngGenerationMiB: 4, identityReviewIntervalSeconds: 60, mode: 'native', allowImageOverride: true, imagePullSecrets: [{ name: 'regcred' }, { name: 'mirror' }], resources: { requests: { cpu: '', memory: '' }, limits: { cpu: '', memory: '1Gi' } } } }, 'secret'],
  ])('with %s', async (_what, values, tlsMode) => {
    const options = await parseRendered(values);
    expect(options.tls.mode).toBe(tlsMode);
    expect(options.injector.youngGenerationMiB).toBe('sidecar' in values ? 4 : undefined);
    expect(options.injector.identityReviewIntervalSeconds).toBe('sidecar' in values ? 60 : 900);
    expect(options.injector.imagePullSecrets).toEqual('sidecar' in values ? ['regcred', 'mirror'] : []);
    expect(options.injector.resources.limits).toEqual('sidecar' in values ? { memory: '1Gi' } : { cpu: '1', memory: '256Mi' });
    if (tlsMode === 'files') expect(options.tls.certFile).toBe('/etc/portcullis/tls/tls.crt');
  }, TEST_TIMEOUT_MS);
});

describe('values', () => {
  it('bind the sidecar role per namespace (all service accounts) and per service account', async () => {
    const r = await render({ sidecar: { rbac: { namespaces: ['team-a'], serviceAccounts: [{ namespace: 'team-b', name: 'agent' }] } } });
    const bindings = r.all('RoleBinding').filter((b) => b.metadata.name.startsWith('pc-portcullis-sidecar'));
    expect(bindings.map((b) => ({ ns: b.metadata.namespace, subjects: b.subjects }))).toEqual([
      { ns: 'team-a', subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:serviceaccounts:team-a' }] },
      { ns: 'team-b', subjects: [{ kind: 'ServiceAccount', name: 'agent', namespace: 'team-b' }] },
    ]);
    expect(r.one('ClusterRoleBinding', 'pc-portcullis-sidecar-tokenreview').subjects).toHaveLength(2);
  }, TEST_TIMEOUT_MS);

  it('sidecar.redis passes the address, TLS and Secret to the webhook, which gives them to the proxy only', async () => {
    const none = webhookFlags((await render()).one('Deployment'));
    expect([...none.keys()].filter((k) => k.startsWith('sidecar-redis'))).toEqual([]);
    const r = await render({ sidecar: { redis: { address: 'redis.portcullis.svc:6379', tls: true, existingSecret: 'portcullis-redis', passwordKey: 'pw', caKey: 'ca.crt' } } });
    const flags = webhookFlags(r.one('Deployment'));
    expect(Object.fromEntries([...flags].filter(([k]) => k.startsWith('sidecar-redis')))).toEqual({
      'sidecar-redis-address': 'redis.portcullis.svc:6379',
      'sidecar-redis-tls': 'true',
      'sidecar-redis-secret': 'portcullis-redis',
      'sidecar-redis-password-key': 'pw',
      'sidecar-redis-ca-key': 'ca.crt',
    });
    // The password is never a value of the chart or a flag: only the Secret's name.
    expect(JSON.stringify(r.all('Deployment'))).not.toMatch(/requirepass|redis-password=/);
  }, TEST_TIMEOUT_MS);

  it('refuses a sidecar.redis.address that is not host:port', async () => {
    const out = await helmWithValues(['template', 'pc', chartDir, '--kube-version', KUBE_VERSION], { sidecar: { redis: { address: 'redis' } } });
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('/sidecar/redis/address');
  }, TEST_TIMEOUT_MS);

  it('checkSecrets adds get on Secrets to the webhook, and only then', async () => {
    const r = await render({ webhook: { statusController: { checkSecrets: true } } });
    expect(grants(rulesOf(r.one('ClusterRole', 'pc-portcullis-webhook')), 'secrets')).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]);
    expect(webhookFlags(r.one('Deployment')).get('check-secrets')).toBe('true');
  }, TEST_TIMEOUT_MS);

  it('grants the pod-role controller pods and roles/rolebindings by default, and nothing of them when it is off', async () => {
    const on = await render();
    const rules = rulesOf(on.one('ClusterRole', 'pc-portcullis-webhook'));
    // The same rules pod-roles.e2e.test.ts proves sufficient (no bind/escalate) on the API server.
    expect(grants(rules, 'pods')).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }]);
    expect(grants(rules, 'roles')).toEqual([{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: ['get', 'create', 'update', 'delete'] }]);
    expect(rules.flatMap((r) => r.verbs)).not.toEqual(expect.arrayContaining(['bind']));
    expect(rules.flatMap((r) => r.verbs)).not.toEqual(expect.arrayContaining(['escalate']));
    expect(webhookFlags(on.one('Deployment')).get('pod-role-controller')).toBe('true');
    const off = await render({ webhook: { podRoleController: { enabled: false } } });
    const offRules = rulesOf(off.one('ClusterRole', 'pc-portcullis-webhook'));
    expect([...grants(offRules, 'pods'), ...grants(offRules, 'roles'), ...grants(offRules, 'rolebindings')]).toEqual([]);
    expect(webhookFlags(off.one('Deployment')).get('pod-role-controller')).toBe('false');
  }, TEST_TIMEOUT_MS);

  it('tls.mode=cert-manager mounts the Certificate Secret and lets cainjector fill the caBundle', async () => {
    const r = await render({ tls: { mode: 'cert-manager' } }, { namespace: 'portcullis' });
    expect(r.all('Certificate').map((c) => c.metadata.name).sort()).toEqual(['pc-portcullis-webhook', 'pc-portcullis-webhook-ca']);
    expect(r.one('MutatingWebhookConfiguration').metadata.annotations).toEqual({ 'cert-manager.io/inject-ca-from': 'portcullis/pc-portcullis-webhook' });
    const flags = webhookFlags(r.one('Deployment'));
    expect(flags.get('tls-mode')).toBe('files');
    expect(podSpec(r.one('Deployment')).volumes).toContainEqual(expect.objectContaining({ name: 'tls', secret: expect.objectContaining({ secretName: 'pc-portcullis-webhook-cert' }) }));
    // The webhook neither writes Secrets nor patches its configuration then.
    expect(grants(rulesOf(r.one('Role')), 'secrets')).toEqual([]);
    expect(grants(rulesOf(r.one('ClusterRole', 'pc-portcullis-webhook')), 'mutatingwebhookconfigurations')).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('tls.mode=cert-manager with an issuerRef uses that issuer and creates none', async () => {
    const r = await render({ tls: { mode: 'cert-manager', certManager: { issuerRef: { name: 'corp-ca', kind: 'ClusterIssuer' } } } });
    expect(r.all('Issuer')).toEqual([]);
    expect(r.one('Certificate').spec).toMatchObject({ issuerRef: { name: 'corp-ca', kind: 'ClusterIssuer' } });
  }, TEST_TIMEOUT_MS);

  it('tls.mode=secret serves an existing Secret and puts its CA into the caBundle', async () => {
    const caBundle = Buffer.from('-----BEGIN CERTIFICATE-----\n').toString('base64');
    const r = await render({ tls: { mode: 'secret', secret: { name: 'webhook-cert', caBundle } } });
    expect(webhookOf(r.one('MutatingWebhookConfiguration')).clientConfig.caBundle).toBe(caBundle);
    expect(podSpec(r.one('Deployment')).volumes).toContainEqual(expect.objectContaining({ secret: expect.objectContaining({ secretName: 'webhook-cert' }) }));
  }, TEST_TIMEOUT_MS);

  it('pin images by digest and move them to another registry', async () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const r = await render({ imageRegistry: 'registry.corp.example/mirror', sidecar: { image: { digest } } });
    expect(webhookFlags(r.one('Deployment')).get('sidecar-image')).toBe(`registry.corp.example/mirror/sidecar@${digest}`);
    expect(podSpec(r.one('Deployment')).containers[0]?.image).toBe('registry.corp.example/mirror/webhook:0.1.0');
  }, TEST_TIMEOUT_MS);

  it('podAntiAffinity=hard requires one replica per node; none drops the affinity', async () => {
    const hard = podSpec((await render({ webhook: { podAntiAffinity: 'hard' } })).one('Deployment'));
    expect(hard.affinity?.podAntiAffinity).toHaveProperty('requiredDuringSchedulingIgnoredDuringExecution');
    expect(podSpec((await render({ webhook: { podAntiAffinity: 'none' } })).one('Deployment')).affinity).toBeUndefined();
  }, TEST_TIMEOUT_MS);

  it.each([
    ['a misspelt key', { webhook: { failurPolicy: 'Ignore' } }, /failurPolicy/],
    ['an unknown failurePolicy', { webhook: { failurePolicy: 'Maybe' } }, /failurePolicy/],
    ['a timeout over 30 seconds', { webhook: { timeoutSeconds: 31 } }, /timeoutSeconds/],
    ['a sidecar quantity that is not one', { sidecar: { resources: { limits: { memory: 'lots' } } } }, /memory/],
    ['a token lifetime under ten minutes', { sidecar: { tokenExpirationSeconds: 60 } }, /tokenExpirationSeconds/],
    ['a young generation over 64 MiB', { sidecar: { youngGenerationMiB: 128 } }, /youngGenerationMiB/],
    ['a review interval under ten seconds', { sidecar: { identityReviewIntervalSeconds: 5 } }, /identityReviewIntervalSeconds/],
    ['a review interval given as a string', { sidecar: { identityReviewIntervalSeconds: '900' } }, /identityReviewIntervalSeconds/],
    ['tls.mode=secret without a Secret', { tls: { mode: 'secret' } }, /secret/],
    ['a service account without a namespace', { sidecar: { rbac: { serviceAccounts: [{ name: 'agent' }] } } }, /namespace/],
    ['a sidecar pull secret given as a bare string', { sidecar: { imagePullSecrets: ['regcred'] } }, /imagePullSecrets/],
  ])('the schema rejects %s', async (_what, values, message) => {
    const r = await render(values);
    expect(r.result.code).not.toBe(0);
    expect(r.result.stderr).toMatch(message);
  }, TEST_TIMEOUT_MS);
});
