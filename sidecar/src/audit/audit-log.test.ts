import { describe, expect, it } from '@jest/globals';
import { AUDIT_SCHEMA_VERSION, AuditLog } from './audit-log.js';
import type { AuditRecord } from './record.js';

const record: AuditRecord = {
  kind: 'audit',
  time: '2026-12-07T06:00:00.000Z',
  requestId: 'r1',
  workload: { namespace: 'team-a', serviceAccount: 'agent', pod: 'agent-0', podUID: 'u' },
  source: 'openai',
  method: 'GET',
  host: 'api.openai.com',
  path: '/v1/models',
  query: '',
  decision: { effect: 'Allow', mode: 'Enforce', forwarded: true, policy: 'team-a/p', rule: 'r', reason: 'allowed by rule' },
  status: 200,
  error: null,
  bytesIn: 0,
  bytesOut: 10,
  durationMs: 1.5,
  upstreamMs: 1.2,
};

describe('AuditLog', () => {
  it('writes one JSON line per record, led by the schema version, with every field of the record', () => {
    const lines: string[] = [];
    new AuditLog({ write: (l) => lines.push(l) }).record(record);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    expect(lines[0]?.startsWith('{"schemaVersion":1,"kind":"audit",')).toBe(true);
    expect(JSON.parse(lines[0] as string)).toEqual({ schemaVersion: AUDIT_SCHEMA_VERSION, ...record });
  });
});
