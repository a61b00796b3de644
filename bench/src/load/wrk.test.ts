import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parseWrkLatency } from './wrk.ts';

describe('parseWrkLatency', () => {
  it('reads the --latency distribution and the thread stats in their own units', () => {
    const out = readFileSync(join(import.meta.dirname, 'testdata/wrk-latency.txt'), 'utf8');
    expect(parseWrkLatency(out)).toEqual({ p50: 0.085, p90: 0.557, p99: 5.19, max: 18.09, mean: 0.34714 });
  });

  it('converts seconds and leaves a missing percentile as NaN rather than zero', () => {
    const out = 'Thread Stats   Avg      Stdev     Max   +/- Stdev\n    Latency     1.20s   100.00ms   2.00s    90.00%\n  Latency Distribution\n     50%    1.10s\n';
    const l = parseWrkLatency(out);
    expect([l.p50, l.max, l.mean]).toEqual([1100, 2000, 1200]);
    expect(l.p99).toBeNaN();
  });
});
