export * from './errors/index.js';
export * from './pki/certificates.js';
