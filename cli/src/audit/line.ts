import { CliError } from '../errors.js';

/** The audit line schema versions this CLI reads; lines written before the field existed have the same fields as 1. */
export const KNOWN_SCHEMA_VERSIONS: ReadonlySet<number> = new Set([1]);

export interface AuditWorkload {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly pod: string;
  readonly podUID: string;
}

export interface AuditAction {
  readonly action: string;
  readonly resources: readonly string[];
}

/** The `aws` object of an AWS call's audit line (docs/sidecar.md, "Audit line"). */
export interface AuditAws extends AuditAction {
  readonly service: string;
  readonly region: string;
  readonly extraActions?: readonly AuditAction[];
}

export interface AuditDecision {
  readonly effect: 'Allow' | 'Deny' | null;
  readonly mode: 'Enforce' | 'Audit' | null;
  readonly forwarded: boolean;
  readonly policy: string | null;
  readonly rule: string | null;
  readonly reason: string;
}

/** One audit line as the tools read it: the fields they use, checked; `raw` keeps the whole line. */
export interface AuditLine {
  /** Where it came from: `file:line` or `pod ns/name:line`. */
  readonly origin: string;
  readonly schemaVersion: number | undefined;
  readonly time: string;
  readonly requestId: string;
  readonly workload: AuditWorkload | null;
  readonly source: string | null;
  readonly method: string;
  readonly host: string | null;
  readonly path: string;
  readonly query: string;
  readonly decision: AuditDecision;
  readonly aws: AuditAws | undefined;
  readonly status: number;
  readonly error: string | null;
  readonly durationMs: number;
  readonly raw: Readonly<Record<string, unknown>>;
}

/** What one input line turned out to be. Operational log lines (pino JSON with `level`) are counted, not read. */
export type ParsedLine = { readonly kind: 'audit'; readonly line: AuditLine } | { readonly kind: 'log' } | { readonly kind: 'blank' };

type Json = Record<string, unknown>;

class FieldReader {
  constructor(
    private readonly origin: string,
    private readonly obj: Json,
  ) {}

  fail(field: string, expected: string): never {
    const value = this.at(field);
    const got = value === undefined ? 'it is missing' : `got ${JSON.stringify(value)?.slice(0, 80)}`;
    throw new CliError('AUDIT_LINE_INVALID', `${this.origin}: field ${field} must be ${expected}, ${got}; this line is not an audit line of a Portcullis sidecar (docs/sidecar.md, "Audit line")`);
  }

  at(field: string): unknown {
    let v: unknown = this.obj;
    for (const part of field.split('.')) v = typeof v === 'object' && v !== null ? (v as Json)[part] : undefined;
    return v;
  }

  string(field: string): string {
    const v = this.at(field);
    return typeof v === 'string' ? v : this.fail(field, 'a string');
  }

  stringOrNull(field: string): string | null {
    const v = this.at(field);
    return v === null || typeof v === 'string' ? v : this.fail(field, 'a string or null');
  }

  number(field: string): number {
    const v = this.at(field);
    return typeof v === 'number' && Number.isFinite(v) ? v : this.fail(field, 'a number');
  }

  boolean(field: string): boolean {
    const v = this.at(field);
    return typeof v === 'boolean' ? v : this.fail(field, 'true or false');
  }

  oneOf<T extends string>(field: string, values: readonly T[]): T | null {
    const v = this.at(field);
    if (v === null) return null;
    return typeof v === 'string' && (values as readonly string[]).includes(v) ? (v as T) : this.fail(field, `one of ${values.join(', ')} or null`);
  }

  strings(field: string): string[] {
    const v = this.at(field);
    return Array.isArray(v) && v.every((s) => typeof s === 'string') ? v : this.fail(field, 'a list of strings');
  }
}

function workloadOf(r: FieldReader): AuditWorkload | null {
  if (r.at('workload') === null) return null;
  return { namespace: r.string('workload.namespace'), serviceAccount: r.string('workload.serviceAccount'), pod: r.string('workload.pod'), podUID: r.string('workload.podUID') };
}

function awsOf(r: FieldReader): AuditAws | undefined {
  if (r.at('aws') === undefined) return undefined;
  const extra = r.at('aws.extraActions');
  let extraActions: AuditAction[] | undefined;
  if (extra !== undefined) {
    if (!Array.isArray(extra)) r.fail('aws.extraActions', 'a list of {action, resources}');
    extraActions = extra.map((_, i) => ({ action: r.string(`aws.extraActions.${i}.action`), resources: r.strings(`aws.extraActions.${i}.resources`) }));
  }
  return {
    service: r.string('aws.service'),
    region: r.string('aws.region'),
    action: r.string('aws.action'),
    resources: r.strings('aws.resources'),
    ...(extraActions ? { extraActions } : {}),
  };
}

function schemaVersionOf(r: FieldReader, origin: string): number | undefined {
  const v = r.at('schemaVersion');
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !KNOWN_SCHEMA_VERSIONS.has(v)) {
    throw new CliError('AUDIT_SCHEMA_UNSUPPORTED', `${origin}: audit schemaVersion ${JSON.stringify(v)} is not one this CLI reads (${[...KNOWN_SCHEMA_VERSIONS].join(', ')}); use the portcullis CLI of the sidecar's release`);
  }
  return v;
}

/**
 * Parses one line of sidecar output. An audit line is checked field by field (the error names the line
 * and the field); a pino log line is reported as `log`; anything else is an error, never skipped.
 */
export function parseAuditLine(text: string, origin: string): ParsedLine {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'blank' };
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    throw new CliError('AUDIT_LINE_INVALID', `${origin}: not JSON; expected one audit line of a Portcullis sidecar per line (the proxy container's stdout)`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliError('AUDIT_LINE_INVALID', `${origin}: a JSON ${Array.isArray(value) ? 'array' : typeof value}, not an audit line object`);
  }
  const obj = value as Json;
  if (obj.kind !== 'audit') {
    if (obj.kind === undefined && typeof obj.level === 'number') return { kind: 'log' };
    throw new CliError('AUDIT_LINE_INVALID', `${origin}: field kind must be "audit", got ${JSON.stringify(obj.kind) ?? 'nothing'}; this is neither an audit line nor a sidecar log line`);
  }
  const r = new FieldReader(origin, obj);
  const line: AuditLine = {
    origin,
    schemaVersion: schemaVersionOf(r, origin),
    time: r.string('time'),
    requestId: r.string('requestId'),
    workload: workloadOf(r),
    source: r.stringOrNull('source'),
    method: r.string('method'),
    host: r.stringOrNull('host'),
    path: r.string('path'),
    query: r.string('query'),
    decision: {
      effect: r.oneOf('decision.effect', ['Allow', 'Deny'] as const),
      mode: r.oneOf('decision.mode', ['Enforce', 'Audit'] as const),
      forwarded: r.boolean('decision.forwarded'),
      policy: r.stringOrNull('decision.policy'),
      rule: r.stringOrNull('decision.rule'),
      reason: r.string('decision.reason'),
    },
    aws: awsOf(r),
    status: r.number('status'),
    error: r.stringOrNull('error'),
    durationMs: r.number('durationMs'),
    raw: obj,
  };
  if (Number.isNaN(Date.parse(line.time))) r.fail('time', 'an ISO 8601 time');
  return { kind: 'audit', line };
}
