// WebSocket tunnels and revocation on the real API server: the shipped sidecar executable in cluster mode
// (identity from TokenReview, policies from the API, its own Pod watched for the kill switch). An open
// tunnel is cut within a second of `portcullis.dev/suspend=true` on the pod and of a policy edit that
// now denies the upgrade; the app gets close 1008, the upstream 1001, and the audit line says why.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { AuditRecord } from '@portcullis/sidecar';
import { closed, nextMessage, openedWs, openWs, startWsUpstream, testPki, type WsUpstream } from '@portcullis/sidecar/testing';
import { createNamespace, kubeConfig } from '../support/cluster.js';
import { createAgentPolicy, createApiSource, mountSidecarTokens, startClusterSidecar, until, type ClusterSidecar } from '../support/cluster-sidecar.js';
import { grantOwnPodRead } from '../support/pod-self-rbac.js';
import { grantSidecarAccess } from '../support/sidecar-rbac.js';
import { createPod, createServiceAccount } from '../support/workloads.js';
import { testPort } from '../support/test-ports.js';

const KEY = 'sk-e2e-ws-cluster-CANARY-77a2';
const group = { group: 'portcullis.dev', version: 'v1alpha1' };
const REALTIME = { name: 'realtime', effect: 'Allow', source: 'api', methods: ['GET'], paths: ['/v1/realtime'] };
const CHAT = { name: 'chat', effect: 'Allow', source: 'api', methods: ['POST'], paths: ['/v1/chat/completions'] };

describe('WebSocket tunnels cut by revocation (the shipped executable in cluster mode)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-ws-cluster-'));
  const audit: AuditRecord[] = [];
  const port = testPort();
  let ns: string;
  let upstream: WsUpstream;
  let sidecar: ClusterSidecar;
  const url = (): string => `ws://127.0.0.1:${port}/v1/realtime?model=gpt-realtime`;
  const tunnels = (): AuditRecord[] => audit.filter((a) => a.websocket !== undefined);
  const core = (): CoreV1Api => kubeConfig().makeApiClient(CoreV1Api);
  const custom = (): CustomObjectsApi => kubeConfig().makeApiClient(CustomObjectsApi);
  const setRules = (rules: object[]): Promise<unknown> =>
    custom().patchNamespacedCustomObject({ ...group, namespace: ns, plural: 'egresspolicies', name: 'agent', body: [{ op: 'replace', path: '/spec/rules', value: rules }] });

  beforeAll(async () => {
    ns = await createNamespace('ws-revoke');
    await createServiceAccount(ns, 'agent');
    await grantSidecarAccess(ns, 'agent');
    const pod = await createPod(ns, 'agent-0', { serviceAccount: 'agent', labels: { app: 'agent' } });
    await grantOwnPodRead(ns, 'agent', 'agent-0');
    await mountSidecarTokens(dir, pod, 3600);
    upstream = await startWsUpstream(testPki(), (headers) => headers.authorization === `Bearer ${KEY}`);
    await createApiSource(ns, dir, port, upstream, KEY);
    await createAgentPolicy(ns, [REALTIME]);
    sidecar = await startClusterSidecar({ ns, dir, port, readyTimeoutMs: 20_000, audit: { write: (line) => audit.push(JSON.parse(line) as AuditRecord) } });
    const first = await until(() => openWs(url()), (r) => r.kind === 'open', 15_000);
    if (first.value.kind === 'open') {
      first.value.ws.close();
      await closed(first.value.ws);
    }
  }, 60_000);

  afterAll(async () => {
    const code = await sidecar?.stop();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
    expect(code).toBe(0);
  });

  it('carries the tunnel with the key from the pod\'s Secret volume, under the identity TokenReview verified', async () => {
    const { ws } = await openedWs(url(), { headers: { authorization: 'Bearer placeholder' } });
    ws.send('echo:cluster');
    expect((await nextMessage(ws)).toString()).toBe('echo:cluster');
    expect(upstream.handshakes.at(-1)?.headers.authorization).toBe(`Bearer ${KEY}`);
    const before = tunnels().length;
    ws.close(1000);
    await closed(ws);
    await until(() => tunnels().length, (n) => n > before, 2000);
    expect(tunnels().at(-1)).toMatchObject({ status: 101, workload: { namespace: ns, pod: 'agent-0' }, websocket: { closedBy: 'app', closeCode: 1000 } });
  });

  it('portcullis.dev/suspend=true on the pod cuts an open tunnel within a second; lifting it lets new ones open', async () => {
    const { ws } = await openedWs(url());
    const seen = upstream.handshakes.at(-1);
    const result = closed(ws);
    const since = performance.now();
    await core().patchNamespacedPod({ namespace: ns, name: 'agent-0', body: [{ op: 'add', path: '/metadata/labels/portcullis.dev~1suspend', value: 'true' }] });
    expect(await result).toEqual({ code: 1008, reason: 'portcullis: SUSPENDED' });
    const cutMs = performance.now() - since;
    process.stderr.write(`websocket kill switch (cluster mode, shipped executable): tunnel cut ${cutMs.toFixed(0)} ms after the pod was labelled\n`);
    expect(cutMs).toBeLessThan(1000);
    await until(() => seen?.closed?.code, (c) => c === 1001, 2000);
    expect(seen?.closed?.code).toBe(1001);
    await until(() => tunnels().at(-1)?.error, (e) => e === 'SUSPENDED', 2000);
    expect(tunnels().at(-1)).toMatchObject({ error: 'SUSPENDED', websocket: { closedBy: 'revoked', closeCode: 1008 } });
    expect(await openWs(url())).toMatchObject({ kind: 'refused', status: 403 });
    await core().patchNamespacedPod({ namespace: ns, name: 'agent-0', body: [{ op: 'remove', path: '/metadata/labels/portcullis.dev~1suspend' }] });
    const reopened = await until(() => openWs(url()), (r) => r.kind === 'open', 3000);
    expect(reopened.value.kind).toBe('open');
    if (reopened.value.kind === 'open') {
      reopened.value.ws.close();
      await closed(reopened.value.ws);
    }
  });

  it('a policy edit that no longer allows the upgrade cuts the open tunnel within a second', async () => {
    const { ws } = await openedWs(url());
    const result = closed(ws);
    const since = performance.now();
    await setRules([CHAT]);
    expect(await result).toEqual({ code: 1008, reason: 'portcullis: POLICY_DENIED' });
    const cutMs = performance.now() - since;
    process.stderr.write(`websocket policy revocation (cluster mode, shipped executable): tunnel cut ${cutMs.toFixed(0)} ms after the policy edit\n`);
    expect(cutMs).toBeLessThan(1000);
    await until(() => tunnels().at(-1)?.error, (e) => e === 'POLICY_DENIED', 2000);
    expect(tunnels().at(-1)).toMatchObject({ error: 'POLICY_DENIED', websocket: { closedBy: 'revoked' } });
    await setRules([REALTIME]);
  });
});
