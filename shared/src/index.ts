export * from './pki/certificates.js';
