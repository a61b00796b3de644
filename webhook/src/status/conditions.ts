import {
  READY_CONDITION,
  resolveSource,
  secretKeysOf,
  type Condition,
  type CredentialSource,
  type EgressPolicy,
  type ResolvedSource,
  type ResourceValidator,
} from '@portcullis/shared';

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

/**
 * What the sidecar does with the source, in its order: the CRD validator (as the API server, and the
 * sidecar's stores, check it), then resolveSource. The resolved source, or why the sidecar refuses it.
 */
function checkSpec(cs: CredentialSource, validator: ResourceValidator): ResolvedSource | string {
  const valid = validator.validate('CredentialSource', cs);
  if (!valid.ok) return valid.message;
  const r = resolveSource(valid.object);
  return r.ok ? r.source : r.problems.map((p) => p.message).join('; ');
}

function secretProblem(cs: CredentialSource, resolved: ResolvedSource, lookup: SecretLookup | undefined): Readiness | undefined {
  const items = secretKeysOf(resolved);
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

/**
 * The Ready condition of a CredentialSource given the namespace's sources and what is known of Secrets.
 * Ready means the sidecar accepts it: the same validator and resolveSource the sidecar runs.
 */
export function sourceReadiness(cs: CredentialSource, namespaceSources: readonly CredentialSource[], secrets: SecretLookup | undefined, validator: ResourceValidator): Readiness {
  const resolved = checkSpec(cs, validator);
  if (typeof resolved === 'string') return notReady('InvalidSpec', resolved);
  const clashes = namespaceSources.filter((o) => o !== cs && name(o) !== name(cs) && o.spec.port === cs.spec.port).map(name).sort();
  if (clashes.length > 0) {
    return notReady('PortConflict', `port ${cs.spec.port} is also used by CredentialSource ${clashes.join(', ')}; sources injected into one pod need distinct ports: change spec.port`);
  }
  return secretProblem(cs, resolved, secrets) ?? ready(secrets ? 'the source is ready to inject' : 'the source is ready to inject (Secrets not checked)');
}

/** The Ready condition of an EgressPolicy: the sidecar accepts it and every source its rules name exists in the namespace. */
export function policyReadiness(policy: EgressPolicy, sourceNames: ReadonlySet<string>, validator: ResourceValidator): Readiness {
  const valid = validator.validate('EgressPolicy', policy);
  if (!valid.ok) return notReady('InvalidSpec', valid.message);
  const named = [...new Set((policy.spec.rules ?? []).map((r) => r.source))].filter((s) => s !== '*');
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
