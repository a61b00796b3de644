import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * Operational logger: JSON on stderr (stdout carries only audit lines). Redaction is a second line of
 * defence; no code path logs a credential or a token in the first place.
 */
export function createLogger(level: string, destination: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { component: 'portcullis-sidecar' },
      redact: {
        paths: ['*.authorization', '*.headers.authorization', '*.token', '*.secret', '*.password', 'req.headers', 'res.headers'],
        censor: '[REDACTED]',
      },
    },
    destination,
  );
}
