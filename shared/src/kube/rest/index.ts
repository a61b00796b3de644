// '@portcullis/shared/kube-rest': the sidecar's small API client (node:https only, no client-node).
export * from './client.js';
export * from './kubeconfig.js';
export * from './list-watch.js';
export * from './status-error.js';
export * from './watch-lines.js';
