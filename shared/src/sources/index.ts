export * from './presets.js';
export * from './resolve.js';
