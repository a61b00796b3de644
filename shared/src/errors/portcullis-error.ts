import type { ErrorCode } from './codes.js';

/**
 * The one error type the sidecar and webhook raise for expected failures: a stable `code` (mapped to an
 * HTTP status only at the edge) and a message that tells the user what to do. Never put a secret in it.
 */
export class PortcullisError extends Error {
  override readonly name = 'PortcullisError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isPortcullisError(err: unknown): err is PortcullisError {
  return err instanceof PortcullisError;
}
