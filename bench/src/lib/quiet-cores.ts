// Others build and benchmark on this machine too, pinned to the same two cores. A/B rounds wait for a
// quiet moment so that neither side is measured against someone else's load.
import { readFileSync } from 'node:fs';

/** Busy fraction of each core over `ms`, from /proc/stat. */
export async function coreBusy(ms: number): Promise<number[]> {
  const read = (): number[][] =>
    readFileSync('/proc/stat', 'utf8').split('\n').filter((l) => /^cpu\d/.test(l)).map((l) => l.split(/\s+/).slice(1, 9).map(Number));
  const a = read();
  await new Promise((r) => setTimeout(r, ms));
  return read().map((b, i) => {
    const d = b.map((v, j) => v - (a[i]?.[j] ?? 0));
    const total = d.reduce((x, y) => x + y, 0);
    return total > 0 ? 1 - ((d[3] ?? 0) + (d[4] ?? 0)) / total : 0;
  });
}

/** Waits (up to `maxWaitMs`) until every core is below its busy limit; returns false when it gave up. */
export async function waitForQuiet(maxBusy: readonly number[], maxWaitMs: number, log: (line: string) => void): Promise<boolean> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    const busy = await coreBusy(1000);
    if (busy.every((b, i) => b < (maxBusy[i] ?? 1))) return true;
    if (Date.now() > deadline) return false;
    log(`waiting for quiet cores: ${busy.map((b, i) => `core ${i} ${(100 * b).toFixed(0)} %`).join(', ')} busy`);
    await new Promise((r) => setTimeout(r, 4000));
  }
}
