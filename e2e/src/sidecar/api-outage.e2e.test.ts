// A ten-minute API server outage (SIGSTOP of the control plane's kube-apiserver) seen by a cluster-mode
// sidecar: enforcement does not change (an allowed call stays allowed, a denied one denied, every call is
// audited), /readyz stays ready while the verified identity's token is valid, the outage is logged once
// per informer with its code and its end once; after SIGCONT a policy edit takes effect within seconds.
// It takes ~11 minutes; PORTCULLIS_E2E_OUTAGE_SECONDS shortens the outage for a local check.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { AuditRecord } from '@portcullis/sidecar';
import type { Upstream } from '@portcullis/sidecar/testing';
import { withApiServerStopped } from '../support/api-server-stop.js';
import { kubeConfig } from '../support/cluster.js';
import { createAgentWorld, getCode, startClusterSidecar, stopAndRemove, until, type ClusterSidecar } from '../support/cluster-sidecar.js';
import { testPort } from '../support/test-ports.js';

const KEY = 'e2e-outage-key';
const OUTAGE_MS = Number(process.env.PORTCULLIS_E2E_OUTAGE_SECONDS ?? 600) * 1000;
/** Outlives the outage and the test with room to spare: the identity stays valid until exp − 30 s. */
const TOKEN_SECONDS = 3600;
/** The watch's idle limit (90 s, docs/sidecar.md) plus a list timeout: the outage is noticed by then. */
const NOTICED_WITHIN_MS = 90_000 + 10_000 + 5_000;
const group = { group: 'portcullis.dev', version: 'v1alpha1' };
const resources = ['credentialsources', 'egresspolicies'];

interface LogLine {
  level: number;
  time: number;
  msg: string;
  code?: string;
  cause?: string;
  resource?: string;
}

const call = getCode;

const errorsOf = (text: string, resource: string): number =>
  Number(new RegExp(`portcullis_sidecar_informer_errors_total\\{resource="${resource}"\\} (\\d+)`).exec(text)?.[1] ?? 0);

describe('a cluster-mode sidecar through a ten-minute API server outage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-outage-'));
  const port = testPort();
  const logs: LogLine[] = [];
  const audit: AuditRecord[] = [];
  const custom = (): CustomObjectsApi => kubeConfig().makeApiClient(CustomObjectsApi);
  let ns: string;
  let upstream: Upstream;
  let sidecar: ClusterSidecar;
  let base: string;

  beforeAll(async () => {
    const world = await createAgentWorld({ prefix: 'outage', dir, port, key: KEY, tokenSeconds: TOKEN_SECONDS, rules: [
        { name: 'no-admin', effect: 'Deny', source: 'api', paths: ['/v1/admin/**'] },
        { name: 'read', effect: 'Allow', source: 'api', methods: ['GET'], paths: ['/v1/**'] },
      ] });
    ns = world.ns;
    upstream = world.upstream;
    sidecar = await startClusterSidecar({
      ns, dir, port,
      args: ['--identity-review-interval-seconds', '10'],
      log: { write: (line) => void logs.push(JSON.parse(line) as LogLine) },
      audit: { write: (line) => audit.push(JSON.parse(line) as AuditRecord) },
      readyTimeoutMs: 15_000,
    });
    base = `http://127.0.0.1:${port}`;
  }, 60_000);

  afterAll(() => stopAndRemove(sidecar, upstream, dir));

  it('enforces the last synced policies unchanged, stays ready, logs the outage once and recovers', async () => {
    const auditStart = audit.length;
    expect(await call(`${base}/v1/models`)).toEqual({ status: 200, code: undefined });
    expect(await call(`${base}/v1/admin/users`)).toEqual({ status: 403, code: 'POLICY_DENIED' });
    // An audit line is written when the exchange closes and reaches this process through a pipe: it can
    // arrive after the answer (a fresh-clone run counted the second one among the outage's calls).
    await until(() => audit.length - auditStart, (n) => n >= 2, 2000);
    const auditBefore = auditStart + 2;
    const before = await sidecar.metrics();
    const logsBefore = logs.length;

    const stoppedAt = Date.now();
    const seen = { allowed: new Map<string, number>(), denied: new Map<string, number>(), unready: [] as string[], calls: 0 };
    const tally = (m: Map<string, number>, k: string): void => void m.set(k, (m.get(k) ?? 0) + 1);
    await withApiServerStopped(async () => {
      while (Date.now() - stoppedAt < OUTAGE_MS) {
        const allowed = await call(`${base}/v1/models`);
        const denied = await call(`${base}/v1/admin/users`);
        seen.calls += 2;
        tally(seen.allowed, `${allowed.status} ${allowed.code ?? ''}`);
        tally(seen.denied, `${denied.status} ${denied.code ?? ''}`);
        const ready = await sidecar.readiness();
        if (ready.status !== 200) seen.unready.push(`${Math.round((Date.now() - stoppedAt) / 1000)} s: ${JSON.stringify(ready.body)}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    });
    const continuedAt = Date.now();
    const during = logs.slice(logsBefore);

    // Enforcement did not change, and every call was audited.
    expect(seen.calls).toBeGreaterThan((OUTAGE_MS / 1000) * 0.8);
    expect(Object.fromEntries(seen.allowed)).toEqual({ '200 ': seen.calls / 2 });
    expect(Object.fromEntries(seen.denied)).toEqual({ '403 POLICY_DENIED': seen.calls / 2 });
    expect(seen.unready).toEqual([]);
    await until(() => audit.length - auditBefore, (n) => n >= seen.calls, 2000);
    expect(audit.length - auditBefore).toBe(seen.calls);
    expect(audit.slice(auditBefore).filter((a) => a.path === '/v1/admin/users').every((a) => a.decision.effect === 'Deny' && a.status === 403)).toBe(true);

    // Each informer noticed the outage within the watch's idle limit and said so exactly once, with its code.
    const failed = during.filter((l) => l.code === 'POLICY_WATCH_FAILED');
    expect(failed.map((l) => l.resource).sort()).toEqual(resources);
    for (const l of failed) {
      expect(l.level).toBe(40);
      expect(['KUBE_WATCH_SILENT', 'KUBE_API_TIMEOUT']).toContain(l.cause);
      expect(l.time - stoppedAt).toBeLessThan(NOTICED_WITHIN_MS);
    }
    expect(during.filter((l) => l.code === 'IDENTITY_REVIEW_FAILED')).toHaveLength(1);
    expect(during.filter((l) => l.level >= 40 && l.code !== 'POLICY_WATCH_FAILED' && l.code !== 'IDENTITY_REVIEW_FAILED')).toEqual([]);
    const mid = await sidecar.metrics();
    for (const r of resources) expect(errorsOf(mid, r)).toBeGreaterThan(errorsOf(before, r) + 1);

    // Recovery: logged once per informer after SIGCONT (the retry backoff is at most 30 s) …
    const recovered = await until(() => logs.filter((l) => l.msg.startsWith('list/watch of ') && l.msg.endsWith(' recovered') && l.time >= continuedAt), (ls) => ls.length >= 2, 60_000);
    expect(recovered.value.map((l) => l.resource).sort()).toEqual(resources);

    // … and a policy edit made after it takes effect within a second or two.
    await new Promise((r) => setTimeout(r, 1000));
    const current = (await custom().getNamespacedCustomObject({ ...group, namespace: ns, plural: 'egresspolicies', name: 'agent' })) as { spec: { rules: { name: string; paths: string[] }[] } };
    const edited = { ...current, spec: { ...current.spec, rules: current.spec.rules.map((r) => (r.name === 'read' ? { ...r, paths: ['/v2/**'] } : r)) } };
    await custom().replaceNamespacedCustomObject({ ...group, namespace: ns, plural: 'egresspolicies', name: 'agent', body: edited });
    const { value, elapsedMs } = await until(() => call(`${base}/v1/models`), (r) => r.status === 403, 10_000);
    expect(value).toEqual({ status: 403, code: 'POLICY_DENIED' });
    expect(elapsedMs).toBeLessThan(2000);
    expect((await call(`${base}/v2/models`)).status).toBe(200);
    expect((await sidecar.readiness()).body.ready).toBe(true);
  }, OUTAGE_MS + 180_000);
});
