// Turns raw objects (from YAML files or the API) into validated candidates and per-kind batches. Pure.
import type { KindTypes, ResourceKind, ResourceValidator, Valid } from '@portcullis/shared';
import { firstField, type Batch, type Rejection } from './last-known-good.js';

export type Candidate =
  | { readonly kind: 'CredentialSource'; readonly key: string; readonly origin: string; readonly object: Valid<KindTypes['CredentialSource']> }
  | { readonly kind: 'EgressPolicy'; readonly key: string; readonly origin: string; readonly object: Valid<KindTypes['EgressPolicy']> }
  | { readonly kind: ResourceKind; readonly key: string | undefined; readonly origin: string; readonly rejection: Rejection };

function keyOf(raw: unknown): string | undefined {
  const meta = (raw as { metadata?: { name?: unknown; namespace?: unknown } } | null)?.metadata;
  return typeof meta?.name === 'string' && typeof meta.namespace === 'string' ? `${meta.namespace}/${meta.name}` : undefined;
}

/** Validates one object of `kind` as the API server would; `origin` names its file (or "api"). */
export function candidateOf(kind: ResourceKind, raw: unknown, origin: string, validator: ResourceValidator): Candidate {
  const key = keyOf(raw);
  const result = validator.validate(kind, raw);
  if (result.ok) {
    const validKey = `${result.object.metadata.namespace ?? ''}/${result.object.metadata.name ?? ''}`;
    return kind === 'CredentialSource'
      ? { kind, key: validKey, origin, object: result.object as Valid<KindTypes['CredentialSource']> }
      : { kind: 'EgressPolicy', key: validKey, origin, object: result.object as Valid<KindTypes['EgressPolicy']> };
  }
  return { kind, key, origin, rejection: { kind, key, origin, field: firstField(result.errors), message: result.message } };
}

/**
 * Groups candidates of one kind into a batch. An object validly defined more than once (two files, or
 * twice in one) is ambiguous: every valid copy is rejected and its previous version stays. Invalid copies
 * never count, so an invalid object cannot push out a valid one of the same name. `held` adds keys to
 * keep as they were.
 */
export function batchOf<K extends ResourceKind>(kind: K, candidates: readonly Candidate[], held: Iterable<string> = []): Batch<K> {
  const mine = candidates.filter((c) => c.kind === kind);
  const origins = new Map<string, string[]>();
  for (const c of mine) if (c.key !== undefined && !('rejection' in c)) origins.set(c.key, [...(origins.get(c.key) ?? []), c.origin]);
  const accepted = new Map<string, Valid<KindTypes[K]>>();
  const rejected: Rejection[] = [];
  const keep = new Set(held);
  for (const c of mine) {
    const copies = c.key === undefined ? [] : (origins.get(c.key) ?? []);
    if ('rejection' in c) {
      rejected.push(c.rejection);
      // The previous version stays, unless a valid copy of the same object replaces it.
      if (c.key !== undefined && !origins.has(c.key)) keep.add(c.key);
    } else if (copies.length > 1) {
      const [namespace, name] = c.key.split('/');
      const message = `${kind} ${name ?? ''} in namespace ${namespace ?? ''} is defined more than once (${copies.join(', ')}); keep one definition`;
      rejected.push({ kind, key: c.key, origin: c.origin, field: 'metadata.name', message });
      keep.add(c.key);
    } else {
      accepted.set(c.key, c.object as Valid<KindTypes[K]>);
    }
  }
  return { kind, accepted, rejected, held: keep };
}
