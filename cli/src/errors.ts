import { PortcullisError, type ErrorCode } from '@portcullis/shared';

/** What the CLI reports: a stable code (docs/errors.md) and a message that says what to fix; exit status 2. */
export class CliError extends PortcullisError {
  override readonly name = 'CliError';

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
