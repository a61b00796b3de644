import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { CliError } from '../errors.js';
import type { LineInput } from '../audit/collect.js';
import { readLog, statusMessage } from './read-log.js';

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
  const body = typeof e.body === 'string' ? statusMessage(e.body) : undefined;
  return `${e.code !== undefined ? `HTTP ${e.code}: ` : ''}${body ?? e.message ?? String(err)}`;
}

async function selectedPods(kc: KubeConfig, req: PodLogRequest): Promise<V1Pod[]> {
  const api = kc.makeApiClient(CoreV1Api);
  const pods =
    req.selector !== undefined
      ? (
          await api.listNamespacedPod({ namespace: req.namespace, labelSelector: req.selector }).catch((err: unknown) => {
            throw new CliError('POD_LOGS_UNAVAILABLE', `listing pods in ${req.namespace} with selector ${req.selector}: ${reasonOf(err)}`, { cause: err });
          })
        ).items
      : await Promise.all(
          req.pods.map((name) =>
            api.readNamespacedPod({ name, namespace: req.namespace }).catch((err: unknown) => {
              throw new CliError('POD_LOGS_UNAVAILABLE', `pod ${req.namespace}/${name}: ${reasonOf(err)}`, { cause: err });
            }),
          ),
        );
  if (pods.length === 0) throw new CliError('POD_LOGS_UNAVAILABLE', `no pod in ${req.namespace} matches ${req.selector ?? req.pods.join(', ')}`);
  return pods;
}

/** The log text of one pod's container, or undefined when the container has not started (the API server answers 204). */
async function logOf(kc: KubeConfig, req: PodLogRequest, pod: V1Pod): Promise<string | undefined> {
  const name = pod.metadata?.name ?? '';
  const query = new URLSearchParams({ container: req.container, ...(req.sinceSeconds !== undefined ? { sinceSeconds: String(req.sinceSeconds) } : {}) });
  const answer = await readLog(kc, req.namespace, name, query).catch((err: unknown) => {
    throw new CliError('POD_LOGS_UNAVAILABLE', `log of container ${req.container} in pod ${req.namespace}/${name}: ${reasonOf(err)}`, { cause: err });
  });
  if (answer.status === 204) return undefined;
  if (answer.status !== 200) {
    throw new CliError('POD_LOGS_UNAVAILABLE', `log of container ${req.container} in pod ${req.namespace}/${name}: HTTP ${answer.status}: ${statusMessage(answer.body)}`);
  }
  return answer.body;
}

/**
 * `kubectl logs`-style input: the proxy container's log of each selected pod, read from the API server
 * (pods/log), with the pods' labels. Any pod whose log cannot be read stops the whole read, so that a
 * partial log never passes for the whole traffic.
 */
export async function readPodLogs(kc: KubeConfig, req: PodLogRequest): Promise<PodLogs> {
  const inputs: LineInput[] = [];
  const labels = new Map<string, Record<string, string>>();
  const notStarted: string[] = [];
  for (const pod of await selectedPods(kc, req)) {
    const name = pod.metadata?.name ?? '';
    labels.set(`${req.namespace}/${name}`, { ...(pod.metadata?.labels ?? {}) });
    const text = await logOf(kc, req, pod);
    if (text === undefined) notStarted.push(`${req.namespace}/${name} (${pod.status?.phase ?? 'unknown phase'}${pod.spec?.nodeName ? '' : ', not scheduled to a node'})`);
    else inputs.push({ name: `pod ${req.namespace}/${name}`, lines: text.split('\n') });
  }
  if (notStarted.length > 0) {
    throw new CliError(
      'POD_LOGS_UNAVAILABLE',
      `the API server has no log of container ${req.container} for ${notStarted.join(', ')}: the container has not started, so there are no audit lines to read; wait until the pods run, or read a saved log file`,
    );
  }
  return { inputs, labels };
}
