import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { createResourceValidator } from '@portcullis/shared';
import { run, TESTDATA } from '../test-support/memory-io.js';

// Golden files: UPDATE_GOLDEN=1 rewrites them (review the diff before committing).
function golden(name: string, actual: string): void {
  const file = `${TESTDATA}${name}`;
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

const CASES: readonly [string, string[]][] = [
  ['recorded.suggested.yaml', []],
  ['recorded.tight.suggested.yaml', ['--keep-ids', '--s3-prefix-depth', '3']],
  ['recorded.loose.suggested.yaml', ['--collapse-after', '2', '--s3-prefix-depth', '0', '--any-resource', '--include-denied', '--mode', 'Audit']],
];

describe('portcullis policy suggest on recorded audit lines (AWS and HTTP, ids, several workloads)', () => {
  it.each(CASES)('writes %s, the same on every run', async (name, flags) => {
    const first = await run(['policy', 'suggest', ...flags, 'recorded.audit.jsonl']);
    expect(first.status).toBe(0);
    golden(name, first.stdout);
    const second = await run(['policy', 'suggest', ...flags, 'recorded.audit.jsonl']);
    expect(second.stdout).toBe(first.stdout);
  });

  it.each(CASES)('%s: every suggested policy validates against the CRD schema', async (_name, flags) => {
    const { stdout } = await run(['policy', 'suggest', ...flags, 'recorded.audit.jsonl']);
    const validator = createResourceValidator();
    const docs = parseAllDocuments(stdout);
    expect(Array.isArray(docs) ? docs.length : 0).toBe(flags.includes('--include-denied') ? 3 : 3);
    for (const doc of Array.isArray(docs) ? docs : []) {
      const result = validator.validate('EgressPolicy', doc.toJS());
      expect(result.ok ? 'valid' : result.message).toBe('valid');
    }
  });

  it('collapses ids to globs and keeps methods: /v1/threads/thread_abc/messages → /v1/threads/*/messages', async () => {
    const { stdout } = await run(['policy', 'suggest', 'recorded.audit.jsonl']);
    expect(stdout).toContain('- /v1/threads/*/messages');
    expect(stdout).toContain('- /repos/acme/widgets/issues/*/comments');
    expect(stdout).not.toContain('thread_abc');
    expect(stdout).toContain('- arn:aws:s3:::reports/2026/*');
    // Never "*" unless asked: the default names every resource or says why it cannot.
    expect(stdout).not.toMatch(/- "?\*"?\n/);
  });

  it('comments each rule with how many calls it covers and when they were last seen', async () => {
    const { stdout } = await run(['policy', 'suggest', 'recorded.audit.jsonl']);
    expect(stdout).toContain('# 6 calls, last seen 2026-12-01T09:02:10.010Z\n    - name: openai-v1-threads-messages');
  });

  it('says on stderr what it did not use and why, and counts operational log lines', async () => {
    const { stderr } = await run(['policy', 'suggest', 'recorded.audit.jsonl']);
    expect(stderr).toContain('read 38 audit lines');
    expect(stderr).toContain('not used: 1 line: denied by an Enforce policy (add --include-denied to allow these too)');
    expect(stderr).toContain('not used: 1 line: no verified workload (identity unavailable)');
    expect(stderr).toContain('not used: 1 line: no policy decision (PATH_REJECTED before the policy)');
    const logs = await run(['policy', 'suggest', 'with-logs.audit.jsonl']);
    expect(logs.stderr).toContain('read 6 audit lines, 1 operational log line passed over (not audit lines)');
  });

  it('reads stdin when no file is given', async () => {
    const { stdout, status } = await run(['policy', 'suggest'], {}, readFileSync(`${TESTDATA}recorded.audit.jsonl`, 'utf8'));
    expect(status).toBe(0);
    expect(stdout).toBe(readFileSync(`${TESTDATA}recorded.suggested.yaml`, 'utf8'));
  });
});
