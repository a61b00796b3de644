export * from './presets.js';
export * from './resolve.js';
export * from './aws/resolve.js';
export * from './aws/services.js';
export * from './resolve-source.js';
export * from './vault/resolve.js';
export * from './azure/resolve.js';
export * from './github/resolve.js';
