import { compileForWorkload, resolveSource, type CredentialSource, type ResolvedSource, type WorkloadRules } from '@portcullis/shared';

export interface PlanProblem {
  readonly source: string;
  readonly port: number | undefined;
  readonly message: string;
}

export type { ResolvedSource };

export interface SourcePlan {
  readonly usable: readonly ResolvedSource[];
  readonly problems: readonly PlanProblem[];
}

/** The resolved source, or why this sidecar version does not serve it. */
function servable(cs: CredentialSource): ResolvedSource | string[] {
  if (cs.spec.type !== 'http' && cs.spec.type !== 'aws') return [`type ${String(cs.spec.type)} is not served by this sidecar version`];
  const resolved = resolveSource(cs);
  if (!resolved.ok) return resolved.problems.map((p) => p.message);
  return resolved.source;
}

/**
 * Picks the sources this sidecar serves: the configured subset (or all), minus those that share a port
 * (neither is served: a port must name exactly one source), those of a type this version cannot serve
 * and those whose spec does not resolve (reported, never guessed).
 */
export function planSources(all: readonly CredentialSource[], filter: ReadonlySet<string> | undefined): SourcePlan {
  const selected = all.filter((cs) => !filter || filter.has(cs.metadata.name ?? ''));
  const byPort = new Map<number, string[]>();
  for (const cs of selected) byPort.set(cs.spec.port, [...(byPort.get(cs.spec.port) ?? []), cs.metadata.name ?? '']);
  const usable: ResolvedSource[] = [];
  const problems: PlanProblem[] = [];
  for (const cs of selected) {
    const name = cs.metadata.name ?? '';
    const sharing = byPort.get(cs.spec.port) ?? [];
    if (sharing.length > 1) {
      problems.push({ source: name, port: cs.spec.port, message: `port ${cs.spec.port} is also used by ${sharing.filter((n) => n !== name).sort().join(', ')}; give each source its own port` });
    } else {
      const resolved = servable(cs);
      if (!Array.isArray(resolved)) usable.push(resolved);
      else for (const message of resolved) problems.push({ source: name, port: cs.spec.port, message });
    }
  }
  if (filter) {
    for (const name of filter) {
      if (!selected.some((cs) => cs.metadata.name === name)) problems.push({ source: name, port: undefined, message: 'no CredentialSource of this name in the namespace' });
    }
  }
  return { usable, problems };
}

const NO_WORKLOAD = { namespace: '', serviceAccount: '', podName: '', podUID: '', labels: {} };

/** Rules that deny everything: used until identity and policies are known. */
export function emptyRules(): WorkloadRules {
  return compileForWorkload([], NO_WORKLOAD);
}
