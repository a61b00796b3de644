export * from './client.js';
export * from './kubeconfig.js';
export * from './list-watch.js';
export * from './status-error.js';
export * from './watch-lines.js';
