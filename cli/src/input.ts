import { SIDECAR_CONTAINER_NAME } from '@portcullis/shared';
import { collectAuditLines, type Collected, type LineInput } from './audit/collect.js';
import { CliError } from './errors.js';
import type { CliIo } from './io.js';
import { readPodLogs } from './kube/pod-logs.js';
import type { PodLabels } from './replay/facts.js';

/** The input flags every command shares. */
export interface InputFlags {
  readonly selector?: string;
  readonly pod?: string[];
  readonly namespace?: string;
  readonly container?: string;
  readonly sinceSeconds?: number;
  readonly context?: string;
}

export interface Input extends Collected {
  readonly labels: PodLabels | undefined;
}

/** Audit lines from files (`-`: stdin; none: stdin) or from pods' proxy logs through the API server. */
export async function readInput(io: CliIo, files: readonly string[], flags: InputFlags): Promise<Input> {
  const fromPods = flags.selector !== undefined || (flags.pod?.length ?? 0) > 0;
  if (fromPods && files.length > 0) throw new CliError('CLI_USAGE', 'give audit files or --selector/--pod, not both');
  if (!fromPods) {
    const inputs: LineInput[] = (files.length > 0 ? files : ['-']).map((f) => ({ name: f === '-' ? 'stdin' : f, lines: io.lines(f) }));
    return { ...(await collectAuditLines(inputs)), labels: undefined };
  }
  const logs = await readPodLogs(io.kubeConfig(flags.context), {
    namespace: flags.namespace ?? 'default',
    selector: flags.selector,
    pods: flags.pod ?? [],
    container: flags.container ?? SIDECAR_CONTAINER_NAME,
    sinceSeconds: flags.sinceSeconds,
  });
  return { ...(await collectAuditLines(logs.inputs)), labels: logs.labels };
}

/** The stderr note on what was read, so that nothing passes unseen. */
export function inputSummary(input: Input): string {
  const logs = input.logLines > 0 ? `, ${input.logLines} operational log line${input.logLines === 1 ? '' : 's'} passed over (not audit lines)` : '';
  return `read ${input.lines.length} audit line${input.lines.length === 1 ? '' : 's'}${logs}\n`;
}
