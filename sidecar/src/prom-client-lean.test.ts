import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import * as prom from 'prom-client';
import { collectDefaultMetrics, Registry } from './prom-client-lean.js';

/** `# TYPE name kind` lines of a registry's text output, in order. */
async function types(registry: prom.Registry): Promise<string[]> {
  return (await registry.metrics()).split('\n').filter((l) => l.startsWith('# TYPE '));
}

function sample(text: string, name: string): number {
  const m = new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text);
  if (!m) throw new Error(`${name} is not in the output`);
  return Number(m[1]);
}

describe('prom-client without its index', () => {
  it('registers exactly the metrics, kinds and order of prom-client collectDefaultMetrics', async () => {
    const theirs = new prom.Registry();
    prom.collectDefaultMetrics({ register: theirs, prefix: 'p_' });
    const ours = new Registry();
    collectDefaultMetrics(ours, 'p_');
    const expected = await types(theirs);
    expect(expected.length).toBeGreaterThan(20);
    expect(await types(ours)).toEqual(expected);
  });

  it('advances the three CPU counters together at each scrape, user + system = total', async () => {
    const registry = new Registry();
    collectDefaultMetrics(registry, 'p_');
    const first = await registry.metrics();
    const start = process.cpuUsage().user;
    while (process.cpuUsage().user - start < 50_000); // burn 50 ms of user CPU between scrapes
    const second = await registry.metrics();
    const user = sample(second, 'p_process_cpu_user_seconds_total');
    const system = sample(second, 'p_process_cpu_system_seconds_total');
    expect(user).toBeGreaterThan(sample(first, 'p_process_cpu_user_seconds_total') + 0.04);
    expect(sample(second, 'p_process_cpu_seconds_total')).toBeCloseTo(user + system, 6);
  });

  it('loads neither @opentelemetry/api nor the Pushgateway or cluster modules', () => {
    // A fresh process: jest's own module registry would not show what Node loads.
    const script = [
      `const lean = await import(${JSON.stringify(join(import.meta.dirname, 'prom-client-lean.ts'))});`,
      'const r = new lean.Registry(); lean.collectDefaultMetrics(r, "p_"); await r.metrics();',
      'const { createRequire } = await import("node:module");',
      'console.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));',
    ].join('\n');
    const loaded = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: import.meta.dirname, encoding: 'utf8' })) as string[];
    expect(loaded.some((f) => f.includes('/prom-client/lib/metrics/gc.js'))).toBe(true);
    expect(loaded.filter((f) => /@opentelemetry|pushgateway|cluster\.js|summary\.js|tdigest/.test(f))).toEqual([]);
  });
});
