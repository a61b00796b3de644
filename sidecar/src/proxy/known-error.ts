import { isAwsProtocolError, isPortcullisError, PortcullisError } from '@portcullis/shared';

/**
 * The PortcullisError an expected failure stands for: PortcullisErrors as they are, and the pure AWS core's
 * AwsProtocolErrors under the same code (ERROR_CODES gives each its HTTP status). Undefined for anything
 * else, which the caller treats as an unexpected (INTERNAL) failure.
 */
export function knownError(err: unknown): PortcullisError | undefined {
  if (isPortcullisError(err)) return err;
  if (isAwsProtocolError(err)) return new PortcullisError(err.code, err.message, { cause: err });
  return undefined;
}
