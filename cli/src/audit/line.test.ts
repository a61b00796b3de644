import { describe, expect, it } from '@jest/globals';
import { EXIT } from '../program.js';
import { run } from '../test-support/memory-io.js';
import { parseAuditLine } from './line.js';

const GOOD = {
  schemaVersion: 1,
  kind: 'audit',
  time: '2026-12-01T09:00:00.000Z',
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
  bytesOut: 1,
  durationMs: 1,
  upstreamMs: 1,
};
const text = (patch: Record<string, unknown>): string => JSON.stringify({ ...GOOD, ...patch });

describe('reading audit lines', () => {
  it('reads an audit line and one written before schemaVersion existed', () => {
    expect(parseAuditLine(text({}), 'f:1')).toMatchObject({ kind: 'audit', line: { requestId: 'r1', schemaVersion: 1, origin: 'f:1' } });
    expect(parseAuditLine(text({ schemaVersion: undefined }), 'f:1')).toMatchObject({ kind: 'audit', line: { schemaVersion: undefined } });
  });

  it('refuses a schema version it does not know', () => {
    expect(() => parseAuditLine(text({ schemaVersion: 2 }), 'f:7')).toThrow(/f:7: audit schemaVersion 2 is not one this CLI reads/);
  });

  it.each([
    ['decision', { decision: { ...GOOD.decision, forwarded: 'yes' } }, 'field decision.forwarded must be true or false, got "yes"'],
    ['workload', { workload: { namespace: 'team-a' } }, 'field workload.serviceAccount must be a string, it is missing'],
    ['time', { time: 'yesterday' }, 'field time must be an ISO 8601 time'],
    ['aws', { aws: { service: 's3', region: 'us-east-1', action: 's3:GetObject', resources: 'arn:aws:s3:::b/k' } }, 'field aws.resources must be a list of strings'],
    ['kind', { kind: 'log' }, 'field kind must be "audit", got "log"'],
  ])('names the line and the field when %s is wrong', (_what, patch, message) => {
    expect(() => parseAuditLine(text(patch), 'audit.log:12')).toThrow(`audit.log:12: ${message}`);
  });

  it('counts pino log lines apart and refuses anything else that is not an audit line', () => {
    expect(parseAuditLine('{"level":30,"msg":"started"}', 'f:1')).toEqual({ kind: 'log' });
    expect(parseAuditLine('   ', 'f:1')).toEqual({ kind: 'blank' });
    expect(() => parseAuditLine('GET /v1/models 200', 'f:3')).toThrow('f:3: not JSON');
    expect(() => parseAuditLine('[1,2]', 'f:4')).toThrow('f:4: a JSON array, not an audit line object');
  });

  it('stops the whole command at the first bad line, with exit 2, instead of skipping it', async () => {
    const input = `${text({})}\n${text({})}\nnot json at all\n${text({})}\n`;
    const r = await run(['policy', 'suggest'], {}, input);
    expect(r.status).toBe(EXIT.error);
    expect(r.stderr).toBe('error AUDIT_LINE_INVALID: stdin:3: not JSON; expected one audit line of a Portcullis sidecar per line (the proxy container\'s stdout)\n');
    expect(r.stdout).toBe('');
  });
});
