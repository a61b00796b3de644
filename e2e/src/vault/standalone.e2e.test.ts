// Standalone mode on a laptop: the shipped executable, the same CredentialSource YAML with a vault origin,
// and a Vault token file (what `bao login` / `vault login` leave in ~/.vault-token) instead of a
// Kubernetes auth login. The sidecar uses the token as it is and never revokes it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { json, startUpstream, testPki, type Upstream } from '@portcullis/sidecar/testing';
import { startOpenBao, WORKLOAD_HEADER, type OpenBao } from '../support/openbao.js';
import { startSidecarProcess, type SidecarProcess } from '../support/sidecar-process.js';
import { standaloneArgs, untilReady } from '../support/standalone-config.js';
import { testPort } from '../support/test-ports.js';

const KEY = `sk-standalone-${Date.now()}`;

describe('portcullis-sidecar --standalone with a vault origin and --vault-token-file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-vault-standalone-'));
  const port = testPort();
  let bao: OpenBao;
  let upstream: Upstream;
  let sidecar: SidecarProcess;
  let token: string;

  beforeAll(async () => {
    bao = await startOpenBao();
    await bao.api('POST', `sys/config/auditing/request-headers/${WORKLOAD_HEADER}`, { hmac: false });
    await bao.putKv('laptop/api', { key: KEY });
    await bao.api('PUT', 'sys/policies/acl/laptop', { policy: 'path "secret/data/laptop/api" { capabilities = ["read"] }\npath "secret/metadata/laptop/api" { capabilities = ["read"] }\n' });
    const created = await bao.api('POST', 'auth/token/create', { policies: ['laptop'], ttl: '1h', renewable: true });
    token = (created.body as { auth: { client_token: string } }).auth.client_token;
    upstream = await startUpstream(testPki(), (req) => req.headers.authorization === `Bearer ${KEY}`, (_req, res) => json(res, 200, { ok: true }));
    mkdirSync(join(dir, 'config'));
    mkdirSync(join(dir, 'sources'));
    writeFileSync(join(dir, 'vault-token'), `${token}\n`);
    writeFileSync(join(dir, 'config/resources.yaml'), `apiVersion: portcullis.dev/v1alpha1
kind: CredentialSource
metadata: {name: api}
spec:
  type: http
  port: ${port}
  http:
    upstream: ${upstream.url}
    caBundle: ${JSON.stringify(upstream.ca.certPem)}
    injection: {type: Bearer}
    vault:
      address: ${bao.address}
      allowPlaintext: true
      auth: {kubernetes: {role: unused-in-standalone}}
      kv: {path: laptop/api, field: key}
---
apiVersion: portcullis.dev/v1alpha1
kind: EgressPolicy
metadata: {name: agent}
spec:
  workloads: {serviceAccounts: [agent]}
  rules: [{name: all, effect: Allow, source: api, paths: ["/**"]}]
`);
    sidecar = await startSidecarProcess(standaloneArgs(dir, ['--vault-token-file', join(dir, 'vault-token')]));
    await untilReady(sidecar.adminPort);
  }, 90_000);

  afterAll(async () => {
    await sidecar?.stop();
    await upstream?.close();
    await bao?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('injects the key read with the token file, and names the standalone identity in the audit log', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/v1/models`);
    expect(res.status).toBe(200);
    type Entry = { request?: { path?: string; operation?: string; headers?: Record<string, string[]> } };
    const reads = (bao.auditEntries() as Entry[]).filter((e) => e.request?.path === 'secret/data/laptop/api' && e.request.operation === 'read');
    expect(reads.length).toBeGreaterThan(0);
    for (const read of reads) expect(read.request?.headers?.[WORKLOAD_HEADER.toLowerCase()]).toEqual(['team-a/agent/agent-0']);
  });

  it('does not revoke the user’s token when it stops, and logs neither the token nor the key', async () => {
    await sidecar.stop();
    const lookup = await bao.api('GET', 'auth/token/lookup-self', undefined, token);
    expect(lookup.status).toBe(200);
    const text = [...sidecar.stdout, ...sidecar.stderr].join('\n');
    expect(text).toContain('credential loaded from Vault');
    expect(text).not.toContain(token);
    expect(text).not.toContain(KEY);
  });
});
