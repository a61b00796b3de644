import type { DestinationStream, Logger } from 'pino';
import { createComponentLogger } from '@portcullis/shared/logging';

/** Operational logger: JSON on stderr (stdout carries only audit lines). */
export function createLogger(level: string, destination: DestinationStream): Logger {
  return createComponentLogger('portcullis-sidecar', level, destination, [
    '*.authorization',
    '*.headers.authorization',
    '*.token',
    '*.secret',
    '*.password',
    'req.headers',
    'res.headers',
  ]);
}
