/**
 * The pure AWS core: parse the app's SigV4 signature, resolve the real endpoint, classify the request for
 * policy, re-sign it (headers, presigned URLs and aws-chunked bodies) with real credentials, and render
 * denials in the protocol's own error shape. No I/O: the sidecar feeds it requests and streams.
 */
export * from './errors/protocol-error.js';
export * from './errors/presigned-expired.js';
export * from './sigv2/presigned.js';
export type { HeaderMap } from './request/headers.js';
export { headerValue } from './request/headers.js';
export * from './sigv4/credential-scope.js';
export * from './endpoints/partitions.js';
export * from './endpoints/resolve-endpoint.js';
export type { ServiceEndpointRow, GlobalEndpoint, AlternateHost } from './endpoints/endpoint-table.js';
export { SERVICE_ENDPOINTS } from './endpoints/endpoint-table.js';
export * from './request/uri.js';
export * from './sigv4/signing-key.js';
export { SigningKeyCache, DEFAULT_MAX_SIGNING_KEYS } from './sigv4/signing-key-cache.js';
export * from './chunked/checksum.js';
export * from './chunked/resigner.js';
export * from './classify/types.js';
export * from './classify/classify.js';
export { policyItemsOf, type ActionWithExtras } from './classify/policy-items.js';
export { parseDeleteObjectsKeys, MAX_DELETE_OBJECTS_BODY_BYTES, type DeleteObjectsKey } from './classify/delete-objects.js';
export { S3_RULES, type S3Rule } from './classify/s3-table.js';
export { JSON_TARGETS } from './classify/json.js';
export { REST_ROWS, type RestRow } from './classify/rest.js';
export * from './errors/access-denied.js';
export { resignRequest, appStreamContext } from './sigv4/resign.js';
export type { AwsCredentials, ResignedRequest, ResignInput, StreamingResign } from './sigv4/resign-common.js';
export { forwardableHeaders } from './sigv4/outgoing-headers.js';
export { NodeSha256 } from './sigv4/node-sha256.js';
