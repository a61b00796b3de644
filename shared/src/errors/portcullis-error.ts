import type { ErrorCode } from './codes.js';

/**
 * The one base class of Portcullis errors (the sidecar, the webhook and the shared core; AwsProtocolError
 * extends it): a stable `code` from ERROR_CODES (mapped to an HTTP status only at the edge, httpStatusOf),
 * an optional `cause`, and a message that tells the user what to do. Never put a secret in it.
 */
export class PortcullisError extends Error {
  // string, not the literal: subclasses (KubeApiError) name themselves.
  override readonly name: string = 'PortcullisError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isPortcullisError(err: unknown): err is PortcullisError {
  return err instanceof PortcullisError;
}

/** The code of any thrown value: a PortcullisError's own, INTERNAL for anything unexpected. */
export function errorCodeOf(err: unknown): ErrorCode {
  return isPortcullisError(err) ? err.code : 'INTERNAL';
}
