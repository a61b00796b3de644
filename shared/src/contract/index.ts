export * from './pod.js';
export * from './sidecar-args.js';
