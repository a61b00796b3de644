export * from './list-watch.js';
export * from './supervised-informer.js';
