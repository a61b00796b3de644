export * from './crd/index.js';
export * from './errors/index.js';
export * from './pki/certificates.js';
export * from './sources/index.js';
