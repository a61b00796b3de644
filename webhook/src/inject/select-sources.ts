import type { CredentialSource } from '@portcullis/shared';
import { ANNOTATIONS, parseNameList } from './annotations.js';

export interface SourceSelection {
  /** The sources to inject, in annotation order (or by name when the annotation is absent). */
  readonly selected: readonly CredentialSource[];
  /** Names in the annotation without a CredentialSource in the namespace. */
  readonly unknown: readonly string[];
  /** The names the annotation asked for; undefined: every source of the namespace. */
  readonly requested: readonly string[] | undefined;
  readonly warnings: readonly string[];
}

const nameOf = (cs: CredentialSource): string => cs.metadata.name ?? '';

/** Picks the sources named by portcullis.dev/sources, or all of the namespace's, from the cached list. */
export function selectSources(annotations: Readonly<Record<string, string>>, available: readonly CredentialSource[]): SourceSelection {
  const raw = annotations[ANNOTATIONS.sources];
  const requested = raw === undefined ? undefined : parseNameList(raw);
  const byName = new Map(available.map((cs) => [nameOf(cs), cs]));
  const warnings: string[] = [];
  let selected: CredentialSource[];
  let unknown: string[] = [];
  if (requested === undefined || requested.length === 0) {
    selected = [...available].sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
    if (selected.length === 0) warnings.push('no CredentialSource exists in the namespace yet: the proxy starts without sources and the app gets no env vars for them');
  } else {
    selected = requested.flatMap((n) => byName.get(n) ?? []);
    unknown = requested.filter((n) => !byName.has(n));
  }
  warnings.push(...portClashes(selected));
  return { selected, unknown, requested: requested && requested.length > 0 ? requested : undefined, warnings };
}

function portClashes(selected: readonly CredentialSource[]): string[] {
  const byPort = new Map<number, string[]>();
  for (const cs of selected) byPort.set(cs.spec.port, [...(byPort.get(cs.spec.port) ?? []), nameOf(cs)]);
  return [...byPort]
    .filter(([, names]) => names.length > 1)
    .map(([port, names]) => `CredentialSources ${names.join(', ')} share port ${port}: the proxy serves only one of them; give each its own spec.port or select one with ${ANNOTATIONS.sources}`);
}
