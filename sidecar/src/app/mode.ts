import type { Identity } from '../deps.js';

/**
 * How the sidecar learns whom it serves and what to enforce: standalone (a fixed identity, YAML files)
 * or cluster (TokenReview of the pod's token, CredentialSources and EgressPolicies from the API server).
 */
export interface Mode {
  /** The verified identity every request runs as; undefined refuses requests (fail closed). */
  identity(): Identity | undefined;
  /** Why there is no identity, for /readyz and IDENTITY_UNAVAILABLE. */
  identityProblem(): string | undefined;
  start(): Promise<void>;
  stop(): void;
}
