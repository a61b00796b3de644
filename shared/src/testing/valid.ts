// Test fixtures in the validated form the policy engine takes.
import type { EgressPolicy } from '../crd/index.js';
import { createResourceValidator } from '../crd/validate/validate-resource.js';
import { PortcullisError } from '../errors/portcullis-error.js';
import type { KindTypes, ResourceKind, Valid } from '../crd/validate/valid.js';

let validator: ReturnType<typeof createResourceValidator> | undefined;

/** Runs the real validator on a fixture and fails the test with kubectl's message when it is invalid. */
export function validated<K extends ResourceKind>(kind: K, object: KindTypes[K]): Valid<KindTypes[K]> {
  validator ??= createResourceValidator();
  const result = validator.validate(kind, object);
  if (!result.ok) throw new PortcullisError('RESOURCE_INVALID', result.message);
  return result.object;
}

export function validPolicy(policy: EgressPolicy): Valid<EgressPolicy> {
  return validated('EgressPolicy', policy);
}

/**
 * For engine tests that go beyond the CRD's bounds on purpose (1,000 rules in one policy, non-ASCII
 * globs the CEL rules refuse): the engine's behaviour on well-typed input, without the validator.
 */
export function beyondCrdBounds(policy: EgressPolicy): Valid<EgressPolicy> {
  return policy as Valid<EgressPolicy>;
}
