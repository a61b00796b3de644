// The sidecar as a library (main.ts is the CLI). e2e tests and the demo run the shipped executable
// instead of building it in-process (issue 12; e2e/src/support/shipped-sidecar-only.test.ts); they use
// the kube client and logger from here. Test helpers are in './testing.js' (`@portcullis/sidecar/testing`).
export { buildSidecar, type Sidecar, type SidecarDeps } from './app.js';
export type { AuditRecord } from './audit/record.js';
export { parseOptions } from './config/parse.js';
export type { SidecarOptions } from './config/options.js';
export { systemClock, type Clock } from './io/clock.js';
export { nodeFiles, type Files } from './io/files.js';
export { sidecarKubeAccess, sidecarKubeClient } from './kube-client.js';
export { createLogger } from './logger.js';
export { identityFromReview } from './identity/identity.js';
export { apiTokenReviewer } from './identity/token-review.js';
