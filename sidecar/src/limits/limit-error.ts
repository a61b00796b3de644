import { PortcullisError, type ErrorCode } from '@portcullis/shared';

/**
 * A refusal by a limit, a budget or the kill switch: a PortcullisError that also tells the app when to
 * retry (`Retry-After`) and whether retrying can help at all (`x-should-retry`, which the OpenAI and
 * Anthropic SDKs honour, so a spent budget is not hammered with automatic retries).
 */
export class LimitError extends PortcullisError {
  override readonly name: string = 'LimitError';

  constructor(
    code: ErrorCode,
    message: string,
    readonly retryAfterSeconds: number | undefined,
    readonly shouldRetry: boolean,
  ) {
    super(code, message);
  }
}

export function isLimitError(err: unknown): err is LimitError {
  return err instanceof LimitError;
}

/** Sets Retry-After and x-should-retry on a response about to carry a LimitError. */
export function setRetryHeaders(res: { setHeader(name: string, value: string): unknown; headersSent: boolean }, err: unknown): void {
  if (!isLimitError(err) || res.headersSent) return;
  if (err.retryAfterSeconds !== undefined) res.setHeader('retry-after', String(err.retryAfterSeconds));
  res.setHeader('x-should-retry', err.shouldRetry ? 'true' : 'false');
}
