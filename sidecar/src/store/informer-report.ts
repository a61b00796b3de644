import type { Logger } from 'pino';
import { isPortcullisError, type ErrorCode } from '@portcullis/shared';
import type { InformerHooks } from '@portcullis/shared/kube';
import type { SidecarMetrics } from '../metrics.js';

/** Log code of a list/watch outage (docs/errors.md); the line's `cause` is the failure's own KUBE_* code. */
export const WATCH_FAILED_CODE: ErrorCode = 'POLICY_WATCH_FAILED';

function causeOf(err: unknown): { cause: string; err: string } {
  return {
    cause: isPortcullisError(err) ? err.code : 'INTERNAL',
    err: err instanceof Error ? err.message : String(err),
  };
}

/**
 * What an informer of `resource` reports: every failed attempt and every watch connection counted, the
 * first failure of an outage logged as a warning with its code (later attempts only at debug level, so a
 * ten-minute outage is one line, not forty), and the end of the outage logged once.
 */
export function informerReport<T>(
  resource: string,
  onChange: (items: readonly T[]) => void,
  metrics: Pick<SidecarMetrics, 'informerErrors' | 'informerReconnects'>,
  log: Logger,
): InformerHooks<T> {
  return {
    onChange,
    onConnect: () => metrics.informerReconnects.inc({ resource }),
    onError: (err, retryInMs, attempt) => {
      metrics.informerErrors.inc({ resource });
      const fields = { code: WATCH_FAILED_CODE, resource, retryInMs, attempt, ...causeOf(err) };
      if (attempt === 1) log.warn(fields, `listing/watching ${resource} failed; enforcing the last synced state and retrying`);
      else log.debug(fields, `listing/watching ${resource} failed again`);
    },
    onRecover: (failedAttempts, outageMs) => {
      log.info({ resource, failedAttempts, outageSeconds: Math.round(outageMs / 100) / 10 }, `list/watch of ${resource} recovered`);
    },
  };
}
