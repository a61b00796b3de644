// '@portcullis/shared/kube': the Kubernetes API adapter — supervised informers over a ListWatch, and the
// sidecar's small REST client (node:https only, no client-node) that implements one. The webhook's
// client-node ListWatch is its own entry point ('@portcullis/shared/kube/client-node') so that the
// sidecar never loads @kubernetes/client-node.
export * from './list-watch.js';
export * from './supervised-informer.js';
export * from './rest/index.js';
