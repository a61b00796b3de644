// From Audit to Enforce with the real pieces: the shipped sidecar executable records audit lines in Audit
// mode, `portcullis policy suggest` turns them into a policy that the real API server accepts, `policy test`
// passes it (and fails a too-narrow one), the sidecar then enforces it: the same calls pass, others are
// denied. Reading the lines from pods goes through the real API server; without a kubelet it cannot return
// a container log, and the CLI must say so (POD_LOGS_UNAVAILABLE) rather than suggest from nothing.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api } from '@kubernetes/client-node';
import { json, startUpstream, testPki, type Upstream } from '@portcullis/sidecar/testing';
import { clusterEnv, createNamespace, kubeConfig, kubectl } from '../support/cluster.js';
import { startSidecarProcess, type SidecarProcess } from '../support/sidecar-process.js';
import { bearerSourceYaml, standaloneArgs, untilReady } from '../support/standalone-config.js';
import { runCli } from './run-cli.js';
import { testPort } from '../support/test-ports.js';

const observe = `apiVersion: portcullis.dev/v1alpha1
kind: EgressPolicy
metadata: {name: observe}
spec:
  mode: Audit
  workloads: {serviceAccounts: [agent]}
  rules: [{name: nothing-yet, effect: Allow, source: api, paths: [/healthz]}]
`;
const CALLS: readonly [string, string][] = [
  ['POST', '/v1/threads'],
  ['POST', '/v1/threads/thread_abc/messages'],
  ['GET', '/v1/threads/thread_abc/messages'],
  ['POST', '/v1/threads/thread_Q2x9LmN0pRsT/messages'],
  ['POST', '/v1/threads/thread_Q2x9LmN0pRsT/runs'],
  ['POST', '/v1/chat/completions'],
  ['GET', '/v1/models'],
];

describe('portcullis CLI: Audit → suggest → test → Enforce against the shipped sidecar and the real API server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-cli-'));
  const port = testPort();
  let upstream: Upstream;
  let sidecar: SidecarProcess;
  let auditFile: string;
  let suggested: string;
  const call = async (method: string, path: string): Promise<number> =>
    (await fetch(`http://127.0.0.1:${port}${path}`, { method, ...(method === 'POST' ? { body: '{}', headers: { 'content-type': 'application/json' } } : {}) })).status;

  beforeAll(async () => {
    upstream = await startUpstream(testPki(), (req) => req.headers.authorization === 'Bearer real', (req, res) => {
      req.on('end', () => json(res, 200, { ok: true }));
      req.resume();
    });
    mkdirSync(join(dir, 'config'));
    mkdirSync(join(dir, 'sources/api'), { recursive: true });
    writeFileSync(join(dir, 'sources/api/key'), 'real');
    writeFileSync(join(dir, 'config/source.yaml'), bearerSourceYaml({ name: 'api', port, upstream: upstream.url, caPem: upstream.ca.certPem }));
    writeFileSync(join(dir, 'config/policy.yaml'), observe);
    sidecar = await startSidecarProcess(standaloneArgs(dir));
    await untilReady(sidecar.adminPort);
    for (const [method, path] of CALLS) expect(await call(method, path)).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    auditFile = join(dir, 'audit.jsonl');
    writeFileSync(auditFile, `${sidecar.stdout.join('\n')}\n`);
  }, 60_000);

  afterAll(async () => {
    await sidecar?.stop();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the sidecar wrote versioned audit lines, all would-denials in Audit mode', () => {
    const lines = sidecar.stdout.map((l) => JSON.parse(l) as { schemaVersion: number; decision: { effect: string; mode: string; forwarded: boolean } });
    expect(lines).toHaveLength(CALLS.length);
    expect(lines.every((l) => l.schemaVersion === 1 && l.decision.mode === 'Audit' && l.decision.forwarded)).toBe(true);
    expect(lines.filter((l) => l.decision.effect === 'Deny')).toHaveLength(CALLS.length);
  });

  it('suggests a policy from the audit lines piped in, and the real API server accepts it', async () => {
    const r = await runCli(['policy', 'suggest'], { stdin: `${sidecar.stdout.join('\n')}\n` });
    expect(r.stderr).toContain(`read ${CALLS.length} audit lines`);
    expect(r.code).toBe(0);
    suggested = r.stdout;
    expect(suggested).toContain('name: agent-suggested');
    expect(suggested).toContain('- /v1/threads/*/messages');
    expect(suggested).toContain('# 3 calls, last seen');
    const ns = await createNamespace('pccli');
    const applied = await kubectl(['apply', '--dry-run=server', '-n', ns, '-f', '-'], { input: suggested.replace(/namespace: team-a/g, `namespace: ${ns}`) });
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('egresspolicy.portcullis.dev/agent-suggested created (server dry run)');
  }, 60_000);

  it('policy test passes the suggestion and fails a too-narrow policy (exit 1), naming the calls', async () => {
    const file = join(dir, 'suggested.yaml');
    writeFileSync(file, suggested);
    const pass = await runCli(['policy', 'test', '-p', file, auditFile]);
    expect(pass.stdout).toContain(`ok: ${CALLS.length} calls replayed, none that succeeded would be denied`);
    expect(pass.code).toBe(0);
    const narrow = join(dir, 'narrow.yaml');
    writeFileSync(
      narrow,
      `apiVersion: portcullis.dev/v1alpha1
kind: EgressPolicy
metadata: {name: chat-only, namespace: team-a}
spec:
  workloads: {serviceAccounts: [agent]}
  rules: [{name: chat, effect: Allow, source: api, methods: [POST], paths: [/v1/chat/completions]}]
`,
    );
    const fail = await runCli(['policy', 'test', '-p', narrow, auditFile]);
    expect(fail.code).toBe(1);
    expect(fail.stdout).toContain(`FAIL  team-a/agent: ${CALLS.length} calls replayed, ${CALLS.length - 1} that succeeded would now be denied`);
    expect(fail.stdout).toContain('api GET /v1/models — no rule allows it [team-a/chat-only]');
  }, 60_000);

  it('explains one recorded request by its id', async () => {
    const first = JSON.parse(sidecar.stdout[0] as string) as { requestId: string };
    const r = await runCli(['explain', first.requestId, auditFile]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('decided:  Deny in Audit mode by EgressPolicy team-a/observe (no rule matched)');
  });

  it('enforced in the sidecar, the suggestion lets the same calls through and denies what was never seen', async () => {
    writeFileSync(join(dir, 'config/policy.yaml'), suggested);
    let status = 0;
    for (let i = 0; i < 100 && status !== 403; i++) {
      status = await call('DELETE', '/v1/threads/thread_abc');
      if (status !== 403) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(403);
    for (const [method, path] of CALLS) expect([method, path, await call(method, path)]).toEqual([method, path, 200]);
    expect(await call('GET', '/v1/threads/thread_new1/messages')).toBe(200);
    expect(await call('POST', '/v1/files')).toBe(403);
  }, 60_000);

  it('reads pods through the real API server, and says exactly why a log is unavailable without a kubelet', async () => {
    const ns = await createNamespace('pccli-pods');
    await kubeConfig().makeApiClient(CoreV1Api).createNamespacedPod({
      namespace: ns,
      body: { metadata: { name: 'agent-0', labels: { app: 'agent' } }, spec: { containers: [{ name: 'portcullis-proxy', image: 'registry.example/sidecar:e2e' }] } },
    });
    const env = { KUBECONFIG: clusterEnv().kubeconfigPath };
    const r = await runCli(['policy', 'suggest', '-n', ns, '--selector', 'app=agent'], { env });
    expect(r.code).toBe(2);
    // Listed through the API server with its labels; its log: the API server answers 204 (the container never
    // started: no kubelet here), which the CLI reports instead of suggesting from nothing.
    expect(r.stderr).toBe(
      `error POD_LOGS_UNAVAILABLE: the API server has no log of container portcullis-proxy for ${ns}/agent-0 (Pending, not scheduled to a node): the container has not started, so there are no audit lines to read; wait until the pods run, or read a saved log file\n`,
    );
    expect(r.stdout).toBe('');
    const none = await runCli(['policy', 'suggest', '-n', ns, '--selector', 'app=nobody'], { env });
    expect(none.stderr).toContain(`error POD_LOGS_UNAVAILABLE: no pod in ${ns} matches app=nobody`);
    const wrong = await runCli(['policy', 'test', '-p', join(dir, 'suggested.yaml'), '-n', ns, '--pod', 'agent-0', '-c', 'app'], { env });
    expect(wrong.stderr).toBe(`error POD_LOGS_UNAVAILABLE: log of container app in pod ${ns}/agent-0: HTTP 400: container app is not valid for pod agent-0\n`);
  }, 60_000);
});
