import { isPortcullisError } from '@portcullis/shared';

// The webhook raises PortcullisError (@portcullis/shared): one catalogue of codes (ERROR_CODES, each
// documented in docs/errors.md) and one httpStatusOf for the sidecar and the webhook.

/** A short description of any thrown value for logs; never the value's own fields (they may hold data). */
export function describeError(err: unknown): string {
  if (err instanceof Error) return isPortcullisError(err) ? `${err.code}: ${err.message}` : err.message;
  return String(err);
}
