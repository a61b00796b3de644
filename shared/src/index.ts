// '@portcullis/shared': the pure core — CRD types and validation, the policy engine, the AWS core
// (classify, endpoints, SigV4, aws-chunked), the webhook↔sidecar contract, resolveSource() and the error
// model. No file, socket, stream, logger or metrics import (ADR 8, enforced by eslint and
// purity/import-graph.test.ts). I/O lives behind the adapter entry points: '@portcullis/shared/kube',
// '/kube/client-node', '/pki', '/logging', '/node-streams' and '/http'.
export * from './crd/index.js';
export * from './errors/index.js';
export * from './http/normalize-path.js';
export * from './policy/index.js';
export * from './contract/index.js';
export * from './sources/index.js';
export * from './aws/index.js';
