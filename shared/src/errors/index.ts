export { ERROR_CODES, httpStatusOf, type ErrorCode } from './codes.js';
export { PortcullisError, isPortcullisError } from './portcullis-error.js';
