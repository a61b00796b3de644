import { describe, expect, it } from '@jest/globals';
import { EXIT } from '../program.js';
import { run } from '../test-support/memory-io.js';

describe('portcullis explain <request id>', () => {
  it('prints the recorded decision: the policy, the rule and why', async () => {
    const r = await run(['explain', 'req-0035', 'recorded.audit.jsonl']);
    expect(r.status).toBe(EXIT.ok);
    expect(r.stdout).toContain('request req-0035 at 2026-12-01T09:31:35.035Z (recorded.audit.jsonl:35)');
    expect(r.stdout).toContain('  workload: team-b/indexer (pod indexer-7f9c)');
    expect(r.stdout).toContain('  decided:  Deny in Enforce mode by EgressPolicy team-b/indexer (no rule matched)');
    expect(r.stdout).toContain('  why:      no rule allows it');
  });

  it('decides it again with candidate policies and says rule by rule why each matches or not', async () => {
    const r = await run(['explain', 'req-0027', '-p', 'too-narrow.policy.yaml', 'recorded.audit.jsonl']);
    expect(r.stdout).toContain('  with the candidate policies: Deny (Enforce) — no rule allows it [team-a/reporter]');
    expect(r.stdout).toContain('    no match Allow team-a/reporter/reports (Enforce): resource arn:aws:s3:::reports/2025/12/z.csv of s3:GetObject matches none of [arn:aws:s3:::reports/2026/*]');
    const chat = await run(['explain', 'req-0014', '-p', 'too-narrow.policy.yaml', 'recorded.audit.jsonl']);
    expect(chat.stdout).toContain('    matches  Allow team-a/agent/chat (Enforce)');
    expect(chat.stdout).toContain('    no match Allow team-a/agent/threads (Enforce): path /v1/chat/completions matches none of [/v1/threads/*/messages]');
  });

  it('explains a call that stopped before the policy', async () => {
    const r = await run(['explain', 'req-0036', 'recorded.audit.jsonl']);
    expect(r.stdout).toContain('decided:  no policy decision — the call stopped before the policy: IDENTITY_UNAVAILABLE');
  });

  it('renders the line as an OCSF API Activity event', async () => {
    const r = await run(['explain', 'req-0029', '--format', 'ocsf', 'recorded.audit.jsonl']);
    expect(JSON.parse(r.stdout)).toMatchObject({
      class_uid: 6003,
      activity_id: 3,
      type_uid: 600303,
      status_id: 1,
      actor: { user: { name: 'system:serviceaccount:team-a:reporter', type: 'Service Account' } },
      api: { operation: 's3:PutObject', service: { name: 's3' }, request: { uid: 'req-0029' } },
      resources: [{ uid: 'arn:aws:s3:::exports/daily/2026-12-01.parquet', type: 's3' }],
      metadata: { version: '1.3.0', uid: 'req-0029' },
    });
  });

  it('says so (exit 2) when no line has the id', async () => {
    const r = await run(['explain', 'req-9999', 'recorded.audit.jsonl']);
    expect(r.status).toBe(EXIT.error);
    expect(r.stderr).toContain('error REQUEST_NOT_FOUND: no audit line has requestId "req-9999" in the 38 lines read');
  });

  it('converts a whole file to OCSF, one event per line', async () => {
    const r = await run(['audit', 'convert', '--format', 'ocsf', 'recorded.audit.jsonl']);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { class_uid: number });
    expect(events).toHaveLength(38);
    expect(events.every((e) => e.class_uid === 6003)).toBe(true);
  });

  it('answers a bad flag with exit 2 and the accepted values', async () => {
    const r = await run(['policy', 'suggest', '--s3-prefix-depth', 'two', 'recorded.audit.jsonl']);
    expect(r.status).toBe(EXIT.error);
    expect(r.stderr).toContain("option '--s3-prefix-depth <n>' argument 'two' is invalid. expected a whole number from 0 to 32");
  });
});
