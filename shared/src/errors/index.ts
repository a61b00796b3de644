export { ERROR_CODES, httpStatusOf, type ErrorCode } from './codes.js';
export { PortcullisError, errorCodeOf, isPortcullisError } from './portcullis-error.js';
