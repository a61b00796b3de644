import type { CredentialSource, EgressPolicy } from '../types.generated.js';

declare const validated: unique symbol;

/**
 * An object that passed resourceValidator().validate: the CRD's schema and CEL rules hold, the API
 * server's defaults are applied, and it is frozen. The policy engine only takes this form, so an
 * ill-typed value (a string where the CRD says list) can never reach it.
 */
export type Valid<T> = T & { readonly [validated]: true };

export type ResourceKind = 'CredentialSource' | 'EgressPolicy';

export interface KindTypes {
  CredentialSource: CredentialSource;
  EgressPolicy: EgressPolicy;
}
