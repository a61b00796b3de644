import type { DestinationStream, Logger } from 'pino';
import { createComponentLogger } from '@portcullis/shared/logging';

/** The webhook's root logger; handlers log through children carrying the admission UID. */
export function createLogger(level: string, destination: DestinationStream): Logger {
  return createComponentLogger('portcullis-webhook', level, destination, [
    '*.keyPem',
    '*.caKeyPem',
    '*.token',
    '*.data',
    '*.stringData',
    '*.authorization',
    'req.headers',
  ]);
}
