import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createResourceValidator, decide, type Decision } from '@portcullis/shared';
import { createLogger } from '../logger.js';
import { createMetrics, type SidecarMetrics } from '../metrics.js';
import { FileStore } from './file-store.js';
import { SidecarState } from './state.js';
import { systemClock } from '../io/clock.js';
import { nodeFiles } from '../io/files.js';

const clock = systemClock();

const identity = { namespace: 'team-a', serviceAccount: 'agent', podName: 'agent-0', podUID: 'uid' };

const policy = (name: string, paths: string[], workloads = '{serviceAccounts: [agent]}'): string => `apiVersion: portcullis.dev/v1alpha1
kind: EgressPolicy
metadata: {name: ${name}}
spec:
  workloads: ${workloads}
  rules: [{effect: Allow, source: api, paths: [${paths.join(', ')}]}]
`;

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('standalone configuration: each object rejected alone, last valid version kept', () => {
  let dir: string;
  let logs: string;
  let metrics: SidecarMetrics;
  let state: SidecarState;
  let store: FileStore | undefined;
  let loads = 0;

  const decision = (path: string): Decision => decide(state.snapshot().rules, { source: 'api', method: 'GET', path, items: [] });
  const allowed = (path: string): boolean => decision(path).forward;
  const write = (file: string, text: string): void => writeFileSync(join(dir, file), text);
  const gauge = async (kind: string): Promise<number | undefined> =>
    (await metrics.registry.getSingleMetric('portcullis_sidecar_resources_rejected')?.get())?.values.find((v) => v.labels.kind === kind)?.value;

  async function start(): Promise<void> {
    store = new FileStore({
      path: dir,
      namespace: 'team-a',
      validator: createResourceValidator(),
      hooks: { onLoad: (load) => void state.applyFiles(load).then(() => loads++) },
      log: createLogger('info', { write: () => undefined }),
      files: nodeFiles(clock),
      debounceMs: 5,
    });
    await store.start();
    await eventually(() => loads > 0, 'the first load');
  }

  /** Waits until a change has been applied (the next load) and the condition holds. */
  async function afterChange(check: () => boolean, what: string): Promise<void> {
    const seen = loads;
    await eventually(() => loads > seen && check(), what);
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portcullis-files-'));
    logs = '';
    loads = 0;
    metrics = createMetrics({ defaultMetrics: false });
    const log = createLogger('info', { write: (s: string) => void (logs += s) });
    state = new SidecarState({ sourceFilter: undefined, secretsDir: dir, stsTokenFile: join(dir, 'sts'), vaultJwtFile: join(dir, 'vault'), vaultTokenFile: undefined, originTokensDir: join(dir, 'origin-tokens'), credentialPollIntervalMs: 1000, labels: {}, metrics, log, clock, files: nodeFiles(clock) });
    await state.setIdentity(identity);
  });

  afterEach(async () => {
    store?.stop();
    await state.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a string serviceAccounts is rejected alone: it allows nothing, the valid policy keeps serving, and it is logged, counted and listed', async () => {
    write('a.yaml', policy('reads', ['/v1/**']));
    write('b.yaml', policy('admins', ['/admin/**'], '{serviceAccounts: platform-agent-admins}'));
    await start();
    expect(allowed('/v1/models')).toBe(true);
    expect(allowed('/admin/cfg')).toBe(false);
    expect(state.ready()).toBe(true);
    expect(state.rejected()).toEqual([
      `EgressPolicy team-a/admins from ${join(dir, 'b.yaml')}: The EgressPolicy "admins" is invalid: spec.workloads.serviceAccounts: ` +
        'Invalid value: "string": spec.workloads.serviceAccounts in body must be of type array: "string" (in force: nothing)',
    ]);
    const line = JSON.parse(logs.split('\n').find((l) => l.includes('RESOURCE_INVALID')) ?? '{}') as Record<string, unknown>;
    expect(line).toMatchObject({ code: 'RESOURCE_INVALID', kind: 'EgressPolicy', namespace: 'team-a', name: 'admins', file: join(dir, 'b.yaml'), field: 'spec.workloads.serviceAccounts', inForce: 'nothing' });
    expect(await gauge('EgressPolicy')).toBe(1);
  });

  it('keeps the last valid version of a policy whose edit is invalid, and takes the next valid edit', async () => {
    write('p.yaml', policy('p', ['/v1/**']));
    await start();
    write('p.yaml', policy('p', ['/v2/**']).replace(/rules: .*/, 'rules: "allow everything"'));
    await afterChange(() => state.rejected().length === 1, 'the rejection');
    expect(allowed('/v1/x')).toBe(true);
    expect(allowed('/v2/x')).toBe(false);
    expect(state.rejected()[0]).toMatch(/spec\.rules: Invalid value: "string".*\(in force: last valid version\)$/);
    write('p.yaml', policy('p', ['/v2/**']));
    await afterChange(() => allowed('/v2/x'), 'the fixed policy');
    expect(allowed('/v1/x')).toBe(false);
    expect(state.rejected()).toEqual([]);
    expect(await gauge('EgressPolicy')).toBe(0);
    expect(logs).toContain('EgressPolicy no longer rejected');
  });

  it('keeps what a file held while it does not parse, serves the other files, and forgets it once deleted', async () => {
    write('a.yaml', policy('a', ['/v1/**']));
    write('b.yaml', policy('b', ['/v2/**']));
    await start();
    write('b.yaml', 'kind: [unclosed');
    await afterChange(() => state.rejected().length === 1, 'the file rejection');
    expect(allowed('/v1/x')).toBe(true);
    expect(allowed('/v2/x')).toBe(true);
    expect(state.rejected()[0]).toMatch(new RegExp(`^file ${join(dir, 'b.yaml')}: .*b\\.yaml:\\d+:\\d+: .*\\(what it held before stays in force\\)$`));
    expect(logs).toContain('"code":"CONFIG_FILE_INVALID"');
    expect(await gauge('file')).toBe(1);
    rmSync(join(dir, 'b.yaml'));
    await afterChange(() => !allowed('/v2/x'), 'the deletion');
    expect(allowed('/v1/x')).toBe(true);
    expect(state.rejected()).toEqual([]);
  });

  it('lets a new file that never parsed contribute nothing', async () => {
    write('a.yaml', policy('a', ['/v1/**']));
    write('c.yaml', `${policy('c', ['/v3/**'])}\n  broken: [`);
    await start();
    expect(allowed('/v1/x')).toBe(true);
    expect(allowed('/v3/x')).toBe(false);
    expect(state.rejected()).toHaveLength(1);
  });

  it('rejects an object defined in two files, keeping the version in force before', async () => {
    write('a.yaml', policy('p', ['/v1/**']));
    await start();
    write('b.yaml', policy('p', ['/**']));
    await afterChange(() => state.rejected().length === 2, 'both copies rejected');
    expect(allowed('/v1/x')).toBe(true);
    expect(allowed('/admin')).toBe(false);
    expect(state.rejected()[0]).toContain('is defined more than once');
  });
});
