// @portcullis/webhook: the admission webhook's factory and its pure injector.
export { buildWebhook, type Started, type Webhook, type WebhookDeps } from './app.js';
export { parseOptions } from './config/parse.js';
export type { WebhookOptions } from './config/options.js';
export { ANNOTATIONS } from './inject/annotations.js';
export { SIDECAR_CONTAINER_NAME, MOUNT_PATHS, VOLUME_NAMES } from '@portcullis/shared';
export type { InjectorConfig } from './inject/config.js';
export { planInjection, type InjectionPlan, type InjectionRequest } from './inject/patch.js';
