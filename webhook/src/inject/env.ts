import type { V1Container, V1EnvVar } from '@kubernetes/client-node';
import { sourceEnv, type CredentialSource } from '@portcullis/shared';

export interface SourceEnv {
  readonly vars: readonly V1EnvVar[];
  readonly warnings: readonly string[];
}

/** The env vars of all selected sources; when two sources set one name, the first source wins. */
export function envForSources(selected: readonly CredentialSource[]): SourceEnv {
  const vars: V1EnvVar[] = [];
  const owner = new Map<string, string>();
  const warnings: string[] = [];
  for (const cs of selected) {
    const source = cs.metadata.name ?? '';
    for (const { name, value } of sourceEnv(cs)) {
      const first = owner.get(name);
      if (first === undefined) {
        owner.set(name, source);
        vars.push({ name, value });
      } else if (vars.find((v) => v.name === name)?.value !== value) {
        warnings.push(`CredentialSources ${first} and ${source} both set ${name}; the app gets ${first}'s value`);
      }
    }
  }
  return { vars, warnings };
}

/**
 * The container with the sources' vars it does not set itself, placed before its own vars so that the
 * user's `$(OPENAI_BASE_URL)`-style references to them expand. A name the container already sets (with
 * value or valueFrom) is never overridden. envFrom is not inspected: an explicit var wins over envFrom.
 */
export function withEnv(container: V1Container, vars: readonly V1EnvVar[]): V1Container {
  const own = container.env ?? [];
  const names = new Set(own.map((e) => e.name));
  const missing = vars.filter((v) => !names.has(v.name));
  if (missing.length === 0) return container;
  return { ...container, env: [...missing.map((v) => ({ ...v })), ...own] };
}
