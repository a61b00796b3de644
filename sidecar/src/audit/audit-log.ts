import type { AuditRecord } from './record.js';

/**
 * The version of the audit line's schema (docs/sidecar.md, "Audit line"), written first on every line as
 * `schemaVersion`. Tools that read audit lines (`portcullis policy suggest|test|explain`) refuse a version
 * they do not know. Adding an optional field keeps the version; renaming, removing or changing the meaning
 * of a field raises it.
 */
export const AUDIT_SCHEMA_VERSION = 1;

const PREFIX = `{"schemaVersion":${AUDIT_SCHEMA_VERSION},`;

/** Where audit lines go: one JSON object per line; the writer must not drop lines silently. */
export interface AuditSink {
  write(line: string): void;
}

export class AuditLog {
  constructor(private readonly sink: AuditSink) {}

  record(rec: AuditRecord): void {
    // The version goes in by string, not by copying the record per request: JSON.stringify of an object
    // always starts with '{', and the record never holds schemaVersion itself.
    this.sink.write(`${PREFIX}${JSON.stringify(rec).slice(1)}\n`);
  }
}
