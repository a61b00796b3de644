export * from './pod.js';
export * from './sidecar-args.js';
export * from './proxy-mode.js';
