import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Upstream } from '@portcullis/sidecar/testing';
import { startSidecarProcess, type SidecarProcess } from '../support/sidecar-process.js';
import { bearerResources as resources, startBearerWorld, upload } from '../support/standalone-config.js';
import { testPort } from '../support/test-ports.js';

const KEY = 'standalone-real-key';

const policy = (name: string, serviceAccounts: string, path: string): string => `apiVersion: portcullis.dev/v1alpha1
kind: EgressPolicy
metadata: {name: ${name}}
spec:
  workloads: {serviceAccounts: ${serviceAccounts}}
  rules: [{effect: Allow, source: api, paths: ["${path}"]}]
`;
const MiB = 1024 * 1024;

describe('portcullis-sidecar --standalone as a process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-standalone-'));
  const port = testPort();
  let upstream: Upstream;
  let sidecar: SidecarProcess;

  beforeAll(async () => {
    upstream = await startBearerWorld(dir, KEY, port);
    sidecar = await startSidecarProcess([
      '--standalone', '--config', join(dir, 'config'), '--identity', 'team-a/agent/agent-0',
      '--secrets-dir', join(dir, 'sources'), '--admin-address', '127.0.0.1', '--admin-port', '0', '--listen-addresses', '127.0.0.1',
    ]);
    for (let i = 0; i < 100; i++) {
      const ready = await fetch(`http://127.0.0.1:${sidecar.adminPort}/readyz`).then((r) => r.status, () => 0);
      if (ready === 200) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  }, 30_000);

  afterAll(async () => {
    await sidecar?.stop();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves from the YAML files, with audit lines alone on stdout', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/v1/models`);
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    const audit = sidecar.stdout.map((l) => JSON.parse(l) as { kind: string; workload: { pod: string }; status: number });
    expect(audit.length).toBeGreaterThan(0);
    expect(audit.every((a) => a.kind === 'audit')).toBe(true);
    expect(audit.at(-1)).toMatchObject({ workload: { pod: 'agent-0' }, status: 200 });
    expect(sidecar.stderr.some((l) => l.includes('"kind":"audit"'))).toBe(false);
    expect([...sidecar.stdout, ...sidecar.stderr].join('\n')).not.toContain(KEY);
  });

  it('lists the source ports it listens on in /readyz', async () => {
    expect(await sidecar.readiness()).toEqual({ status: 200, body: { ready: true, reasons: [], rejected: [], credentials: [], ports: [port] } });
  });

  it('applies an edited policy file without a restart', async () => {
    writeFileSync(join(dir, 'config/resources.yaml'), resources(port, upstream, ['/v2/**']));
    let status = 0;
    for (let i = 0; i < 100 && status !== 403; i++) {
      status = (await fetch(`http://127.0.0.1:${port}/v1/models`)).status;
      if (status !== 403) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(403);
    expect((await fetch(`http://127.0.0.1:${port}/v2/models`)).status).toBe(200);
  });

  it('rejects a broken file or an invalid policy alone: the rest keeps serving and the last valid version stays', async () => {
    const statusOf = async (path: string): Promise<number> => (await fetch(`http://127.0.0.1:${port}${path}`)).status;
    const until = async (check: () => Promise<boolean>, what: string): Promise<void> => {
      for (let i = 0; i < 200; i++) {
        if (await check()) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`timed out waiting for ${what}`);
    };
    const readyz = async (): Promise<{ status: number; body: { rejected: string[] } }> => {
      const res = await fetch(`http://127.0.0.1:${sidecar.adminPort}/readyz`);
      return { status: res.status, body: (await res.json()) as { rejected: string[] } };
    };
    writeFileSync(join(dir, 'config/extra.yaml'), policy('extra', '[agent]', '/v3/**'));
    await until(async () => (await statusOf('/v3/x')) === 200, 'the extra policy');

    // A syntax error: that file is rejected whole and what it held (the source and its policy) stays in force.
    writeFileSync(join(dir, 'config/resources.yaml'), 'kind: [unclosed');
    await until(async () => (await readyz()).body.rejected.length === 1, 'the file rejection');
    expect(await statusOf('/v2/models')).toBe(200);
    expect(await statusOf('/v3/x')).toBe(200);
    expect(await statusOf('/v1/models')).toBe(403);
    const broken = await readyz();
    expect(broken.status).toBe(200);
    expect(broken.body.rejected[0]).toContain('resources.yaml');
    expect(sidecar.stderr.some((l) => l.includes('"code":"CONFIG_FILE_INVALID"') && l.includes('resources.yaml'))).toBe(true);

    // A string where a list belongs: never a substring match, never an allow; logged with its field.
    writeFileSync(join(dir, 'config/typo.yaml'), policy('admins', 'platform-agent-admins', '/admin/**'));
    await until(async () => (await readyz()).body.rejected.length === 2, 'the policy rejection');
    expect(await statusOf('/admin/cfg')).toBe(403);
    expect(await statusOf('/v2/models')).toBe(200);
    const line = sidecar.stderr.find((l) => l.includes('"code":"RESOURCE_INVALID"'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({ kind: 'EgressPolicy', name: 'admins', field: 'spec.workloads.serviceAccounts', inForce: 'nothing' });
    const metrics = await (await fetch(`http://127.0.0.1:${sidecar.adminPort}/metrics`)).text();
    expect(metrics).toMatch(/portcullis_sidecar_resources_rejected\{kind="EgressPolicy"\} 1/);
    expect(metrics).toMatch(/portcullis_sidecar_resources_rejected\{kind="file"\} 1/);

    rmSync(join(dir, 'config/typo.yaml'));
    rmSync(join(dir, 'config/extra.yaml'));
    writeFileSync(join(dir, 'config/resources.yaml'), resources(port, upstream, ['/v2/**']));
    await until(async () => (await readyz()).body.rejected.length === 0 && (await statusOf('/v3/x')) === 403, 'the repaired configuration');
  });

  it('passes a 1 GiB upload with bounded memory', async () => {
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = (await fetch(`http://127.0.0.1:${port}/v2/warmup`, { method: 'PUT', body: 'x' })).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 20));
    }
    const before = await sidecar.memoryKiB();
    expect(await upload(`http://127.0.0.1:${port}/v2/upload`, 1024)).toBe(200);
    const after = await sidecar.memoryKiB();
    expect(upstream.received.at(-1)?.bodyBytes).toBe(1024 * MiB);
    // The benchmark records the exact growth; here we only prove it does not scale with the body.
    expect((after.peak - before.current) / 1024).toBeLessThan(96);
  }, 120_000);

  it('writes nothing but JSON lines on stderr (no runtime warning such as DEP0123 for an IP upstream)', () => {
    expect(upstream.url).toMatch(/^https:\/\/127\.0\.0\.1:/);
    const notJson = sidecar.stderr.filter((l) => {
      try {
        return typeof JSON.parse(l) !== 'object';
      } catch {
        return true;
      }
    });
    expect(notJson).toEqual([]);
  });

  it('flushes its audit lines and exits 0 on SIGTERM', async () => {
    const lines = sidecar.stdout.length;
    expect(await sidecar.stop()).toBe(0);
    expect(sidecar.stdout.length).toBeGreaterThanOrEqual(lines);
    expect(sidecar.stderr.some((l) => l.includes('"signal":"SIGTERM"'))).toBe(true);
  });
});
