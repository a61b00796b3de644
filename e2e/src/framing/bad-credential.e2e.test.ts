// The reported outage: a bearer source whose Secret file ends in a blank line crashed the whole sidecar
// on its first request. Now the value is refused when loaded; that source answers 503 CREDENTIAL_INVALID,
// the process and the pod's other source keep serving, and fixing the file brings it back.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { json, startUpstream, testPki, type Upstream } from '@portcullis/sidecar/testing';
import { startSidecarProcess, type SidecarProcess } from '../support/sidecar-process.js';
import { bearerSourceYaml, standaloneArgs, untilReady } from '../support/standalone-config.js';
import { testPort } from '../support/test-ports.js';

const KEY = 'bad-credential-real-key';

function resources(ports: { good: number; bad: number }, upstream: Upstream): string {
  const source = (name: string, port: number): string => bearerSourceYaml({ name, port, upstream: upstream.url, caPem: upstream.ca.certPem });
  return `${source('good', ports.good)}---
${source('bad', ports.bad)}---
apiVersion: portcullis.dev/v1alpha1
kind: EgressPolicy
metadata: {name: agent}
spec:
  workloads: {serviceAccounts: [agent]}
  rules:
    - {name: good, effect: Allow, source: good, paths: ['/v1/**']}
    - {name: bad, effect: Allow, source: bad, paths: ['/v1/**']}
`;
}

describe('a Secret value that cannot be sent', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-bad-credential-'));
  const base = testPort(2);
  const ports = { good: base, bad: base + 1 };
  let upstream: Upstream;
  let sidecar: SidecarProcess;

  beforeAll(async () => {
    upstream = await startUpstream(testPki(), (req) => req.headers.authorization === `Bearer ${KEY}`, (_req, res) => json(res, 200, { ok: true }));
    mkdirSync(join(dir, 'config'));
    for (const name of ['good', 'bad']) mkdirSync(join(dir, 'sources', name), { recursive: true });
    writeFileSync(join(dir, 'sources/good/key'), `${KEY}\n`);
    // What `kubectl create secret --from-file` makes of a file that ends in a blank line.
    writeFileSync(join(dir, 'sources/bad/key'), `${KEY}\n\n`);
    writeFileSync(join(dir, 'config/resources.yaml'), resources(ports, upstream));
    sidecar = await startSidecarProcess(standaloneArgs(dir, ['--credential-poll-interval-seconds', '1']));
    await untilReady(sidecar.adminPort);
  }, 30_000);

  afterAll(async () => {
    await sidecar?.stop();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses that source with 503 CREDENTIAL_INVALID while the process and the other source keep serving', async () => {
    const bad = await fetch(`http://127.0.0.1:${ports.bad}/v1/models`);
    expect(bad.status).toBe(503);
    const body = (await bad.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('CREDENTIAL_INVALID');
    expect(body.error.message).toContain('source "bad"');
    expect(sidecar.child.exitCode).toBeNull();
    expect((await fetch(`http://127.0.0.1:${ports.good}/v1/models`)).status).toBe(200);
    expect(upstream.received.every((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true);
  });

  it('says which source, file and why in the log and in /readyz, without the value', async () => {
    const ready = (await (await fetch(`http://127.0.0.1:${sidecar.adminPort}/readyz`)).json()) as { ready: boolean; credentials: string[] };
    expect(ready.ready).toBe(true);
    expect(ready.credentials).toEqual([expect.stringMatching(/^source bad: .*sources\/bad\/key.*control character \(LF/)]);
    const line = sidecar.stderr.find((l) => l.includes('"code":"CREDENTIAL_INVALID"'));
    expect(line).toBeDefined();
    expect(JSON.parse(line ?? '{}')).toMatchObject({ source: 'bad', path: expect.stringMatching(/sources\/bad\/key$/) });
    expect([...sidecar.stdout, ...sidecar.stderr].join('\n')).not.toContain(KEY);
  });

  it('serves the source once the Secret is fixed, without a restart', async () => {
    writeFileSync(join(dir, 'sources/bad/key'), `${KEY}\n`);
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = (await fetch(`http://127.0.0.1:${ports.bad}/v1/models`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(200);
  });
});
