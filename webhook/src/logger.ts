import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * The one root logger (JSON). Handlers log through children carrying the admission UID. Redaction is a
 * second line of defence: no code path logs certificate keys, tokens or Secret data in the first place.
 */
export function createLogger(level: string, destination: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { component: 'portcullis-webhook' },
      redact: {
        paths: ['*.keyPem', '*.caKeyPem', '*.token', '*.data', '*.stringData', '*.authorization', 'req.headers'],
        censor: '[REDACTED]',
      },
    },
    destination,
  );
}
