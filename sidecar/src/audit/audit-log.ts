import type { AuditRecord } from './record.js';

/** Where audit lines go: one JSON object per line; the writer must not drop lines silently. */
export interface AuditSink {
  write(line: string): void;
}

export class AuditLog {
  constructor(private readonly sink: AuditSink) {}

  record(rec: AuditRecord): void {
    this.sink.write(`${JSON.stringify(rec)}\n`);
  }
}
