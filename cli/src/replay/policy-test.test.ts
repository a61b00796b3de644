import { describe, expect, it } from '@jest/globals';
import { EXIT } from '../program.js';
import { run } from '../test-support/memory-io.js';

describe('portcullis policy test', () => {
  it('fails (exit 1) on a deliberately too-narrow policy and names each call that would now be denied, by workload', async () => {
    const r = await run(['policy', 'test', '-p', 'too-narrow.policy.yaml', 'recorded.audit.jsonl']);
    expect(r.status).toBe(EXIT.failing);
    expect(r.stdout).toContain('FAIL  team-a/agent: 25 calls replayed, 14 that succeeded would now be denied');
    expect(r.stdout).toContain('FAIL  team-a/reporter: 9 calls replayed, 7 that succeeded would now be denied');
    expect(r.stdout).toContain(
      's3 GET /reports/2025/12/z.csv s3:GetObject arn:aws:s3:::reports/2025/12/z.csv — no rule allows it (s3:GetObject on arn:aws:s3:::reports/2025/12/z.csv) [team-a/reporter]',
    );
    expect(r.stdout).toContain('openai POST /v1/threads/thread_abc/runs — no rule allows it [team-a/agent]');
    // Calls the narrow policy does allow are not listed.
    expect(r.stdout).not.toContain('/v1/chat/completions —');
    // A call that failed upstream anyway is shown apart and does not fail the test on its own.
    expect(r.stdout).toContain('would now be denied (they failed anyway, so they do not fail the test): 1');
    expect(r.stdout).toMatch(/FAIL: calls that succeeded would be denied/);
  });

  it('passes (exit 0) the policy suggest wrote from the same lines', async () => {
    const r = await run(['policy', 'test', '-p', 'recorded.suggested.yaml', 'recorded.audit.jsonl']);
    expect(r.stdout).toContain('ok: 36 calls replayed, none that succeeded would be denied');
    expect(r.stdout).toContain('not replayed: 1 line: no verified workload (identity unavailable)');
    expect(r.status).toBe(EXIT.ok);
  });

  it('reports calls an Enforce policy denied that the candidate would allow', async () => {
    const r = await run(['policy', 'test', '-p', 'recorded.loose.suggested.yaml', 'recorded.audit.jsonl']);
    expect(r.status).toBe(EXIT.ok);
    expect(r.stdout).toContain('team-b/indexer: 2 calls replayed, 0 that succeeded would now be denied, 1 denied then would now be allowed');
    expect(r.stdout).toContain('openai POST /v1/chat/completions — allowed by rule [team-b/indexer-suggested/openai-v1-chat-completions]');
  });

  it('gives the same answer as JSON for CI', async () => {
    const r = await run(['policy', 'test', '--format', 'json', '-p', 'too-narrow.policy.yaml', 'recorded.audit.jsonl']);
    const report = JSON.parse(r.stdout) as { failing: boolean; workloads: { workload: string; newlyDenied: { requestId: string; decision: { reason: string } }[] }[] };
    expect(report.failing).toBe(true);
    const reporter = report.workloads.find((w) => w.workload === 'team-a/reporter');
    expect(reporter?.newlyDenied.map((c) => c.requestId)).toEqual(['req-0027', 'req-0028', 'req-0029', 'req-0030', 'req-0031', 'req-0032', 'req-0033']);
  });

  it('refuses a candidate that does not validate against the CRD, naming the file, document and field (exit 2)', async () => {
    const bad = `apiVersion: portcullis.dev/v1alpha1
kind: EgressPolicy
metadata: {name: typo, namespace: team-a}
spec:
  workloads: {serviceAccounts: agent}
  rules: [{effect: Allow, source: openai, paths: [/v1/**]}]
`;
    const r = await run(['policy', 'test', '-p', 'bad.yaml', 'recorded.audit.jsonl'], { 'bad.yaml': bad });
    expect(r.status).toBe(EXIT.error);
    expect(r.stderr).toMatch(/^error POLICY_FILE_INVALID: bad\.yaml: document 1: The EgressPolicy "typo" is invalid: spec\.workloads\.serviceAccounts/m);
    expect(r.stdout).toBe('');
  });

  it('refuses a candidate path glob the CRD\'s CEL rules reject', async () => {
    const bad = `apiVersion: portcullis.dev/v1alpha1
kind: EgressPolicy
metadata: {name: cel, namespace: team-a}
spec:
  workloads: {serviceAccounts: [agent]}
  rules: [{name: r, effect: Allow, source: openai, paths: ["v1/**"]}]
`;
    const r = await run(['policy', 'test', '-p', 'cel.yaml', 'recorded.audit.jsonl'], { 'cel.yaml': bad });
    expect(r.status).toBe(EXIT.error);
    expect(r.stderr).toContain('path "v1/**" must start with "/"');
  });

  it('refuses YAML that does not parse, and a kind of our group it does not know', async () => {
    const broken = await run(['policy', 'test', '-p', 'broken.yaml', 'recorded.audit.jsonl'], { 'broken.yaml': 'kind: [unclosed\n' });
    expect(broken.stderr).toMatch(/error POLICY_FILE_INVALID: broken\.yaml:\d+: not YAML/);
    const kind = await run(['policy', 'test', '-p', 'k.yaml', 'recorded.audit.jsonl'], { 'k.yaml': 'apiVersion: portcullis.dev/v1alpha1\nkind: EgressPolicies\n' });
    expect(kind.stderr).toContain('no kind "EgressPolicies" is known');
    expect(kind.status).toBe(EXIT.error);
  });

  it('refuses podSelector candidates when the lines carry no pod labels, instead of guessing', async () => {
    const p = `apiVersion: portcullis.dev/v1alpha1
kind: EgressPolicy
metadata: {name: by-label, namespace: team-a}
spec:
  workloads: {podSelector: {matchLabels: {app: agent}}}
  rules: [{name: all, effect: Allow, source: "*"}]
`;
    const r = await run(['policy', 'test', '-p', 'l.yaml', 'recorded.audit.jsonl'], { 'l.yaml': p });
    expect(r.status).toBe(EXIT.error);
    expect(r.stderr).toContain('error POLICY_NEEDS_POD_LABELS: EgressPolicy team-a/by-label selects pods by podSelector');
  });

  it('uses the same Deny-overrides-Allow engine as the sidecar', async () => {
    const p = `apiVersion: portcullis.dev/v1alpha1
kind: EgressPolicy
metadata: {name: reporter, namespace: team-a}
spec:
  workloads: {serviceAccounts: [reporter]}
  rules:
    - {name: all-s3, effect: Allow, source: s3, actions: ["s3:*"]}
    - {name: no-2025, effect: Deny, source: s3, actions: ["s3:GetObject"], resources: ["arn:aws:s3:::reports/2025/*"]}
`;
    const r = await run(['policy', 'test', '-p', 'd.yaml', 'recorded.audit.jsonl'], { 'd.yaml': p });
    expect(r.stdout).toContain('s3 GET /reports/2025/12/z.csv s3:GetObject arn:aws:s3:::reports/2025/12/z.csv — denied by rule (s3:GetObject on arn:aws:s3:::reports/2025/12/z.csv) [team-a/reporter/no-2025]');
    expect(r.stdout).not.toContain('/reports/2026/11/a.csv s3:GetObject');
  });
});
