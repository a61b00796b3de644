// The webhook's error codes (the shared catalogue in @portcullis/shared covers the sidecar's). Each code
// is documented in docs/webhook.md under "Error codes"; errors.test.ts fails otherwise.

/** Code → HTTP status the admission server answers with (0: never an HTTP answer). */
export const WEBHOOK_ERROR_CODES = {
  ADMISSION_REVIEW_INVALID: 400,
  ADMISSION_BODY_TOO_LARGE: 413,
  SOURCES_NOT_SYNCED: 503,
  SOURCE_NOT_FOUND: 0,
  NAME_CLASH: 0,
  TLS_MATERIAL_INVALID: 0,
  WEBHOOK_CONFIG_NOT_FOUND: 0,
  KUBE_API_FAILED: 0,
} as const satisfies Record<string, number>;

export type WebhookErrorCode = keyof typeof WEBHOOK_ERROR_CODES;

/** An expected failure with a stable code and a message that says what to do. Never put a secret in it. */
export class WebhookError extends Error {
  override readonly name = 'WebhookError';
  readonly code: WebhookErrorCode;

  constructor(code: WebhookErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isWebhookError(err: unknown): err is WebhookError {
  return err instanceof WebhookError;
}

/** The HTTP status for an error at the edge: its code's status, or 500 for anything unexpected. */
export function httpStatusOf(err: unknown): number {
  return isWebhookError(err) ? WEBHOOK_ERROR_CODES[err.code] || 500 : 500;
}

/** A short description of any thrown value for logs; never the value's own fields (they may hold data). */
export function describeError(err: unknown): string {
  if (err instanceof Error) return isWebhookError(err) ? `${err.code}: ${err.message}` : err.message;
  return String(err);
}
