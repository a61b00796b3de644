import { READY_CONDITION, isSourceProblem, resolveHttpSource, type Condition, type CredentialSource, type EgressPolicy } from '@portcullis/shared';
import { secretItems } from '../inject/volumes.js';

export interface Readiness {
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
}

/** What is known about a Secret: its keys, that it is missing, or why it could not be read. */
export type SecretKeys = { readonly found: true; readonly keys: ReadonlySet<string> } | { readonly found: false } | { readonly error: string };
/** undefined: Secrets are not checked (--check-secrets=false). */
export type SecretLookup = (namespace: string, name: string) => SecretKeys | undefined;

const ready = (message: string): Readiness => ({ status: 'True', reason: 'Valid', message });
const notReady = (reason: string, message: string): Readiness => ({ status: 'False', reason, message });
const name = (o: { metadata: { name?: string } }): string => o.metadata.name ?? '';

function specProblem(cs: CredentialSource): string | undefined {
  if (cs.spec.type === 'http') {
    const r = resolveHttpSource(cs);
    return isSourceProblem(r) ? r.message : undefined;
  }
  const aws = cs.spec.aws;
  if (!aws || (aws.webIdentity === undefined) === (aws.staticKeys === undefined)) return 'spec.aws needs exactly one of webIdentity or staticKeys';
  return undefined;
}

function secretProblem(cs: CredentialSource, lookup: SecretLookup | undefined): Readiness | undefined {
  const items = secretItems(cs);
  const ns = cs.metadata.namespace ?? '';
  if (!items || !lookup) return undefined;
  const found = lookup(ns, items.secretName);
  if (found === undefined) return undefined;
  if ('error' in found) return { status: 'Unknown', reason: 'SecretCheckFailed', message: `could not read Secret ${items.secretName}: ${found.error}` };
  if (!found.found) return notReady('SecretNotFound', `Secret ${items.secretName} not found in namespace ${ns}: create it with the key(s) ${items.keys.join(', ')}`);
  const missing = items.keys.filter((k) => !found.keys.has(k));
  if (missing.length > 0) return notReady('KeyNotFound', `Secret ${items.secretName} has no key ${missing.join(', ')}: add it or fix the key name in the CredentialSource`);
  return undefined;
}

/** The Ready condition of a CredentialSource given the namespace's sources and what is known of Secrets. */
export function sourceReadiness(cs: CredentialSource, namespaceSources: readonly CredentialSource[], secrets: SecretLookup | undefined): Readiness {
  const problem = specProblem(cs);
  if (problem) return notReady('InvalidSpec', problem);
  const clashes = namespaceSources.filter((o) => o !== cs && name(o) !== name(cs) && o.spec.port === cs.spec.port).map(name).sort();
  if (clashes.length > 0) {
    return notReady('PortConflict', `port ${cs.spec.port} is also used by CredentialSource ${clashes.join(', ')}; sources injected into one pod need distinct ports: change spec.port`);
  }
  return secretProblem(cs, secrets) ?? ready(secrets ? 'the source is ready to inject' : 'the source is ready to inject (Secrets not checked)');
}

/** The Ready condition of an EgressPolicy: every source its rules name exists in the namespace. */
export function policyReadiness(policy: EgressPolicy, sourceNames: ReadonlySet<string>): Readiness {
  const named = [...new Set(policy.spec.rules.map((r) => r.source))].filter((s) => s !== '*');
  const missing = named.filter((s) => !sourceNames.has(s)).sort();
  if (missing.length > 0) {
    return notReady('SourceNotFound', `CredentialSource ${missing.join(', ')} not found in namespace ${policy.metadata.namespace ?? ''}; rules naming it match no call until it exists`);
  }
  return ready('every source the rules name exists');
}

export interface StatusFields {
  readonly observedGeneration?: number;
  readonly conditions?: readonly Condition[];
}

/** The status to write, or undefined when the current one already says this for this generation. */
export function nextStatus(current: StatusFields | undefined, desired: Readiness, generation: number, now: Date): { observedGeneration: number; conditions: Condition[] } | undefined {
  const existing = current?.conditions?.find((c) => c.type === READY_CONDITION);
  const same =
    existing !== undefined &&
    existing.status === desired.status &&
    existing.reason === desired.reason &&
    existing.message === desired.message &&
    existing.observedGeneration === generation &&
    current?.observedGeneration === generation;
  if (same) return undefined;
  const lastTransitionTime = existing && existing.status === desired.status ? existing.lastTransitionTime : `${now.toISOString().slice(0, 19)}Z`;
  const condition: Condition = { type: READY_CONDITION, ...desired, observedGeneration: generation, lastTransitionTime };
  const others = (current?.conditions ?? []).filter((c) => c.type !== READY_CONDITION);
  return { observedGeneration: generation, conditions: [...others, condition] };
}
