/**
 * The pure AWS core: parse the app's SigV4 signature, resolve the real endpoint, classify the request for
 * policy, re-sign it (headers, presigned URLs and aws-chunked bodies) with real credentials, and render
 * denials in the protocol's own error shape. No I/O: the sidecar feeds it requests and streams.
 */
export * from './errors.js';
export type { HeaderMap } from './headers.js';
export { headerValue } from './headers.js';
export * from './credential-scope.js';
export * from './partitions.js';
export * from './endpoints.js';
export type { ServiceEndpointRow, GlobalEndpoint, AlternateHost } from './endpoint-table.js';
export { SERVICE_ENDPOINTS } from './endpoint-table.js';
export * from './uri.js';
export * from './signing-key.js';
export { SigningKeyCache, DEFAULT_MAX_SIGNING_KEYS } from './signing-key-cache.js';
export * from './checksum.js';
export * from './chunked.js';
export * from './classify-types.js';
export * from './classify.js';
export { parseDeleteObjectsKeys, MAX_DELETE_OBJECTS_BODY_BYTES, type DeleteObjectsKey } from './delete-objects.js';
export { S3_RULES, type S3Rule } from './classify-s3-table.js';
export { JSON_TARGETS } from './classify-json.js';
export { REST_ROWS, type RestRow } from './classify-rest.js';
export * from './access-denied.js';
export { resignRequest, appStreamContext } from './resign.js';
export type { AwsCredentials, ResignedRequest, ResignInput, StreamingResign } from './resign-common.js';
export { forwardableHeaders } from './outgoing-headers.js';
export { NodeSha256 } from './sha256.js';
