// A webhook process wired into the shared control plane for one test file: its own namespace, app
// namespaces labelled with a run id, and a MutatingWebhookConfiguration scoped to exactly that label,
// deleted again in cleanup() so a stopped webhook never blocks anyone else's pods.
import { randomBytes } from 'node:crypto';
import { AdmissionregistrationV1Api, CoreV1Api, type V1MutatingWebhookConfiguration } from '@kubernetes/client-node';
import { clusterEnv, createNamespace, kubeConfig, kubectl } from '../support/cluster.js';
import { startWebhookProcess, type WebhookProcess } from './process.js';

export const RUN_LABEL = 'portcullis.dev/webhook-e2e';

export interface World {
  readonly runId: string;
  /** The webhook's own namespace (its Secret and Lease; never injected, not selected by the configuration). */
  readonly systemNamespace: string;
  /** Namespaces whose pods the API server sends to this webhook. */
  readonly namespaces: readonly string[];
  readonly configName: string;
  readonly webhook: WebhookProcess;
  /** Starts one more replica against the same Secret and Lease. */
  startReplica(identity: string, extraArgs?: readonly string[]): Promise<WebhookProcess>;
  /** Points the configuration at another replica's port. */
  retarget(port: number): Promise<void>;
  cleanup(): Promise<void>;
}

export interface WorldOptions {
  readonly namespaces?: number;
  readonly args?: readonly string[];
}

const admissionApi = (): AdmissionregistrationV1Api => kubeConfig().makeApiClient(AdmissionregistrationV1Api);

function webhookConfig(name: string, port: number, runId: string): V1MutatingWebhookConfiguration {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name, labels: { [RUN_LABEL]: runId } },
    webhooks: [
      {
        name: 'inject.portcullis.dev',
        admissionReviewVersions: ['v1'],
        clientConfig: { url: `https://127.0.0.1:${port}/mutate` },
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' }],
        namespaceSelector: { matchLabels: { [RUN_LABEL]: runId } },
        sideEffects: 'NoneOnDryRun',
        reinvocationPolicy: 'IfNeeded',
        failurePolicy: 'Fail',
        timeoutSeconds: 10,
      },
    ],
  };
}

export async function until<T>(probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A dry-run create that comes back injected proves the API server calls the webhook. */
async function injectionWorks(namespace: string): Promise<boolean> {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'probe', annotations: { 'portcullis.dev/inject': 'true' } },
    spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] },
  };
  const r = await kubectl(['create', '--dry-run=server', '-o', 'json', '-f', '-'], { namespace, input: JSON.stringify(pod) });
  return r.code === 0 && r.stdout.includes('portcullis.dev/status');
}

export async function startWorld(opts: WorldOptions = {}): Promise<World> {
  const runId = randomBytes(4).toString('hex');
  const configName = `portcullis-e2e-${runId}`;
  const cleanups: (() => Promise<unknown>)[] = [];
  const processes: WebhookProcess[] = [];
  const cleanup = async (): Promise<void> => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    const systemNamespace = await createNamespace('pcwh-sys');
    const namespaces: string[] = [];
    for (let i = 0; i < (opts.namespaces ?? 1); i++) {
      const ns = await createNamespace('pcwh-app');
      await kubectl(['label', 'namespace', ns, `${RUN_LABEL}=${runId}`]);
      namespaces.push(ns);
      // Pods stay Pending forever without a kubelet: remove them so the shared etcd does not fill up.
      cleanups.push(() => kubeConfig().makeApiClient(CoreV1Api).deleteCollectionNamespacedPod({ namespace: ns, gracePeriodSeconds: 0 }));
    }
    const args = (identity: string, extra: readonly string[]): string[] => [
      '--kubeconfig', clusterEnv().kubeconfigPath,
      '--namespace', systemNamespace,
      '--identity', identity,
      '--watch-namespaces', namespaces.join(','),
      '--webhook-config-name', configName,
      '--sidecar-image', 'registry.example/portcullis-sidecar:e2e',
      '--address', '127.0.0.1', '--port', '0',
      '--admin-address', '127.0.0.1', '--admin-port', '0',
      '--tls-ip-addresses', '127.0.0.1',
      '--cert-check-interval-seconds', '1',
      '--lease-duration-seconds', '4', '--lease-retry-interval-seconds', '1',
      ...extra,
    ];
    const startReplica = async (identity: string, extra: readonly string[] = []): Promise<WebhookProcess> => {
      const p = await startWebhookProcess(args(identity, [...(opts.args ?? []), ...extra]));
      processes.push(p);
      cleanups.push(() => p.stop());
      return p;
    };
    const webhook = await startReplica('replica-a');
    // Registered after the process, so cleanup deletes the configuration before stopping the webhook.
    await admissionApi().createMutatingWebhookConfiguration({ body: webhookConfig(configName, webhook.port, runId) });
    cleanups.push(() => admissionApi().deleteMutatingWebhookConfiguration({ name: configName }));
    await until(
      () => admissionApi().readMutatingWebhookConfiguration({ name: configName }),
      (c) => Boolean(c.webhooks?.[0]?.clientConfig.caBundle),
      20_000,
      'the webhook to publish its caBundle',
    );
    await until(() => injectionWorks(namespaces[0] ?? ''), (ok) => ok, 20_000, 'the API server to call the webhook');
    const retarget = async (port: number): Promise<void> => {
      const current = await admissionApi().readMutatingWebhookConfiguration({ name: configName });
      const webhooks = (current.webhooks ?? []).map((w) => ({ ...w, clientConfig: { ...w.clientConfig, url: `https://127.0.0.1:${port}/mutate` } }));
      await admissionApi().replaceMutatingWebhookConfiguration({ name: configName, body: { ...current, webhooks } });
    };
    return { runId, systemNamespace, namespaces, configName, webhook, startReplica, retarget, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
