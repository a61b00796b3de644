// '@portcullis/shared/node-streams': node:stream wrappers around the pure core's push parsers.
export { createChunkedResigner } from './aws-chunked-transform.js';
