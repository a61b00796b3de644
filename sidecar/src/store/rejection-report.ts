import type { Logger } from 'pino';
import type { Rejection } from './last-known-good.js';
import type { RejectedKind, StoreMetrics } from './metrics.js';

/** Where rejections come from; each is replaced as a whole by its next update. */
export type RejectionScope = 'sources' | 'policies' | 'files';

/** What a rejected object leaves in force. */
export type InForce = 'last valid version' | 'nothing';

interface Entry {
  readonly rejection: Rejection;
  readonly inForce: InForce | undefined;
}

const KINDS: readonly RejectedKind[] = ['CredentialSource', 'EgressPolicy', 'file'];

const identity = (r: Rejection): string => JSON.stringify([r.kind, r.origin, r.key, r.message]);

/**
 * Keeps the current rejections, logs each one once when it appears (with its code, file or "api", object,
 * field and kubectl's message) and once when it goes away, and keeps the metrics in step.
 */
export class RejectionReport {
  private readonly scopes = new Map<RejectionScope, readonly Entry[]>();

  constructor(
    private readonly log: Logger,
    private readonly metrics: StoreMetrics,
  ) {
    for (const kind of KINDS) metrics.rejected.set({ kind }, 0);
  }

  /** Replaces one scope's rejections; `inForce(key)` tells whether a rejected object's last valid version is in force. */
  update(scope: RejectionScope, rejections: readonly Rejection[], inForce: (key: string) => boolean): void {
    const before = new Set((this.scopes.get(scope) ?? []).map((e) => identity(e.rejection)));
    const entries = rejections.map((rejection): Entry => ({
      rejection,
      inForce: rejection.key === undefined ? undefined : inForce(rejection.key) ? 'last valid version' : 'nothing',
    }));
    const now = new Set(entries.map((e) => identity(e.rejection)));
    for (const entry of entries) if (!before.has(identity(entry.rejection))) this.reportNew(entry);
    for (const old of this.scopes.get(scope) ?? []) if (!now.has(identity(old.rejection))) this.reportGone(old.rejection);
    this.scopes.set(scope, entries);
    for (const kind of KINDS) this.metrics.rejected.set({ kind }, this.all().filter((e) => e.rejection.kind === kind).length);
  }

  /** One line per rejection, for /readyz. */
  lines(): string[] {
    return this.all().map(({ rejection: r, inForce }) =>
      r.kind === 'file'
        ? `file ${r.origin}: ${r.message} (what it held before stays in force)`
        : `${r.kind} ${r.key ?? '(unnamed)'} from ${r.origin}: ${r.message} (in force: ${inForce ?? 'nothing'})`,
    );
  }

  private all(): Entry[] {
    return [...this.scopes.values()].flat();
  }

  private reportNew({ rejection: r, inForce }: Entry): void {
    this.metrics.rejections.inc({ kind: r.kind });
    const [namespace, name] = r.key?.split('/') ?? [];
    if (r.kind === 'file') {
      this.log.error({ code: 'CONFIG_FILE_INVALID', file: r.origin, reason: r.message }, 'configuration file rejected; what it held before stays in force');
      return;
    }
    const where = r.origin === 'api' ? {} : { file: r.origin };
    const consequence = inForce === 'last valid version' ? 'its last valid version stays in force' : 'it has no valid version, so it contributes nothing';
    this.log.error({ code: 'RESOURCE_INVALID', kind: r.kind, namespace, name, ...where, field: r.field, reason: r.message, inForce }, `${r.kind} rejected; ${consequence}`);
  }

  private reportGone(r: Rejection): void {
    const [namespace, name] = r.key?.split('/') ?? [];
    const where = r.origin === 'api' ? {} : { file: r.origin };
    this.log.info({ kind: r.kind, namespace, name, ...where }, `${r.kind === 'file' ? 'configuration file' : r.kind} no longer rejected`);
  }
}
