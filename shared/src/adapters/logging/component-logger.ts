import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * The one root logger of a component: JSON, `component` on every line, redaction of the given paths as
 * a second line of defence (no code path logs a credential, token or key in the first place).
 */
export function createComponentLogger(
  component: string,
  level: string,
  destination: DestinationStream,
  redactPaths: readonly string[],
): Logger {
  return pino({ level, base: { component }, redact: { paths: [...redactPaths], censor: '[REDACTED]' } }, destination);
}
