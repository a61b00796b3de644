// The sidecar as a library: e2e tests and the demo build it in-process; main.ts is the CLI. Test
// helpers are in './testing.js' (`@portcullis/sidecar/testing`), not here.
export { buildSidecar, type Sidecar, type SidecarDeps } from './app.js';
export type { AuditRecord } from './audit/record.js';
export { parseOptions } from './config/parse.js';
export type { SidecarOptions } from './config/options.js';
export { systemClock, type Clock } from './io/clock.js';
export { nodeFiles, type Files } from './io/files.js';
export { sidecarKubeAccess, sidecarKubeClient } from './kube-client.js';
export { createLogger } from './logger.js';
export { RedisLimitStore, type RedisConnection } from './limits/redis/redis-store.js';
export { identityFromReview } from './identity/identity.js';
export { apiTokenReviewer } from './identity/token-review.js';
