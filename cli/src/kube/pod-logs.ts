import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { CliError } from '../errors.js';
import type { LineInput } from '../audit/collect.js';

export interface PodLogRequest {
  readonly namespace: string;
  /** A label selector (`app=agent`), or undefined with `pods`. */
  readonly selector: string | undefined;
  readonly pods: readonly string[];
  readonly container: string;
  readonly sinceSeconds: number | undefined;
}

export interface PodLogs {
  readonly inputs: LineInput[];
  /** Each pod's labels, by `namespace/pod`: audit lines do not carry them, podSelector policies need them. */
  readonly labels: Map<string, Record<string, string>>;
}

function reasonOf(err: unknown): string {
  const e = err as { code?: number; body?: unknown; message?: string };
  let message = e.message ?? String(err);
  if (typeof e.body === 'string') {
    try {
      message = (JSON.parse(e.body) as { message?: string }).message ?? message;
    } catch {
      message = e.body;
    }
  }
  return `${e.code !== undefined ? `HTTP ${e.code}: ` : ''}${message}`;
}

/**
 * `kubectl logs`-style input: the proxy container's log of each selected pod, read from the API server
 * (pods/log), with the pods' labels. Any pod whose log cannot be read stops the whole read.
 */
export async function readPodLogs(kc: KubeConfig, req: PodLogRequest): Promise<PodLogs> {
  const api = kc.makeApiClient(CoreV1Api);
  const pods = req.selector !== undefined
    ? (await api.listNamespacedPod({ namespace: req.namespace, labelSelector: req.selector }).catch((err: unknown) => {
        throw new CliError('POD_LOGS_UNAVAILABLE', `listing pods in ${req.namespace} with selector ${req.selector}: ${reasonOf(err)}`, { cause: err });
      })).items
    : await Promise.all(req.pods.map((name) => api.readNamespacedPod({ name, namespace: req.namespace }).catch((err: unknown) => {
        throw new CliError('POD_LOGS_UNAVAILABLE', `pod ${req.namespace}/${name}: ${reasonOf(err)}`, { cause: err });
      })));
  if (pods.length === 0) throw new CliError('POD_LOGS_UNAVAILABLE', `no pod in ${req.namespace} matches ${req.selector ?? req.pods.join(', ')}`);
  const inputs: LineInput[] = [];
  const labels = new Map<string, Record<string, string>>();
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    labels.set(`${req.namespace}/${name}`, { ...(pod.metadata?.labels ?? {}) });
    const text = await api
      .readNamespacedPodLog({ name, namespace: req.namespace, container: req.container, ...(req.sinceSeconds !== undefined ? { sinceSeconds: req.sinceSeconds } : {}) })
      .catch((err: unknown) => {
        throw new CliError('POD_LOGS_UNAVAILABLE', `log of container ${req.container} in pod ${req.namespace}/${name}: ${reasonOf(err)}`, { cause: err });
      });
    inputs.push({ name: `pod ${req.namespace}/${name}`, lines: text.split('\n') });
  }
  return { inputs, labels };
}
