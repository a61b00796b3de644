// Per-object last known good: what a rejected object leaves in force. Pure.
import type { KindTypes, ResourceKind, Valid } from '@portcullis/shared';
import type { RejectedKind } from './metrics.js';

export interface Rejection {
  readonly kind: RejectedKind;
  /** namespace/name, when the object had a usable one (files: undefined). */
  readonly key: string | undefined;
  /** Where it came from: the file, or "api". */
  readonly origin: string;
  /** The first field the API server would name, e.g. spec.workloads.serviceAccounts. */
  readonly field: string | undefined;
  /** kubectl apply's message (or the YAML parser's, for a file). */
  readonly message: string;
}

/** One kind's objects as just read: the valid ones, the rejected ones, and keys whose previous version stays. */
export interface Batch<K extends ResourceKind> {
  readonly kind: K;
  readonly accepted: ReadonlyMap<string, Valid<KindTypes[K]>>;
  readonly rejected: readonly Rejection[];
  /** Keys to keep as they were: rejected objects, and objects in a file that cannot be read now. */
  readonly held: ReadonlySet<string>;
}

/**
 * The objects in force after a batch: every accepted object; for a held key, the previous valid version
 * if there was one (an object that never had a valid version contributes nothing); keys that are
 * neither accepted nor held are gone (deleted).
 */
export function inForce<T>(previous: ReadonlyMap<string, T>, accepted: ReadonlyMap<string, T>, held: ReadonlySet<string>): Map<string, T> {
  const next = new Map(accepted);
  for (const key of held) {
    const old = previous.get(key);
    if (!next.has(key) && old !== undefined) next.set(key, old);
  }
  return next;
}

/** The field of the first error in a kubectl-style message list. */
export function firstField(errors: readonly string[]): string | undefined {
  const first = errors[0];
  if (first === undefined) return undefined;
  const unknown = /^unknown field "([^"]*)"/.exec(first);
  if (unknown) return unknown[1];
  const colon = first.indexOf(': ');
  return colon > 0 ? first.slice(0, colon) : undefined;
}
