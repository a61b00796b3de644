/**
 * Property-based fuzzing of the parsers between the untrusted app and a credential (issue 16). Each
 * `*.property.test.ts` calls `fuzz()`; in the unit suite it runs a few hundred cases with a fixed seed, and
 * `make fuzz` (e2e/scripts/fuzz.sh) runs the same properties with FUZZ_RUNS (1,000,000 by default) and a
 * report file. Test-only: an entry point of its own (`@portcullis/shared/testing/fuzz`), never the core's.
 *
 * Environment (read here, by tests only): FUZZ_RUNS (cases; default: the test's own), FUZZ_SEED (default
 * 20261207), FUZZ_PATH (replay one counterexample: the `path` a failure printed, with its seed), FUZZ_CALL_LIMIT_MS (one call slower than this fails the property: super-linear parsers and
 * hangs show up as a reproducible counterexample; default 2000), FUZZ_REPORT (a file that gets one JSON line
 * per property and a progress line every 50,000 cases, read by the runner to report cases/s and the last
 * seed it was on when a process hangs).
 */
import { appendFileSync } from 'node:fs';
import fc from 'fast-check';
import { isPortcullisError } from '../errors/portcullis-error.js';
import { ERROR_CODES } from '../errors/codes.js';

export interface FuzzOptions {
  /** Cases in the unit suite (FUZZ_RUNS overrides). */
  readonly runs: number;
}

const env = (name: string): string | undefined => process.env[name];

function report(line: Record<string, unknown>): void {
  const file = env('FUZZ_REPORT');
  if (file !== undefined && file !== '') appendFileSync(file, `${JSON.stringify(line)}\n`);
}

/**
 * Asserts `check` for every generated value. `check` throws (or returns false) when an invariant breaks.
 * A failure names the seed and the path that reproduce it (FUZZ_SEED=<seed>, fast-check's `path`).
 */
export function fuzz<T>(name: string, arbitrary: fc.Arbitrary<T>, check: (value: T) => boolean | void, options: FuzzOptions): void {
  const runs = Number(env('FUZZ_RUNS') ?? options.runs);
  const seed = Number(env('FUZZ_SEED') ?? 20261207);
  const limitMs = Number(env('FUZZ_CALL_LIMIT_MS') ?? 2000);
  const path = env('FUZZ_PATH');
  let cases = 0;
  const started = performance.now();
  report({ kind: 'start', name, seed, runs });
  try {
    fc.assert(
      fc.property(arbitrary, (value) => {
        const t0 = performance.now();
        const result = check(value);
        const took = performance.now() - t0;
        if (took > limitMs) throw new Error(`${name}: one call took ${took.toFixed(0)} ms (limit ${limitMs} ms): a hang or super-linear input`);
        cases++;
        if (cases % 50_000 === 0) report({ kind: 'progress', name, seed, cases, ms: Math.round(performance.now() - started) });
        return result;
      }),
      { numRuns: runs, seed, endOnFailure: true, ...(path === undefined ? {} : { path }) },
    );
    report({ kind: 'done', name, seed, cases, ms: Math.round(performance.now() - started) });
  } catch (err) {
    report({ kind: 'failed', name, seed, cases, ms: Math.round(performance.now() - started), error: String(err).slice(0, 4000) });
    throw err;
  }
}

/**
 * Runs `parse` and returns its result, or undefined when it threw a PortcullisError with a catalogued code
 * (and `allowed`, when given, contains that code). Anything else thrown (TypeError, RangeError, an
 * uncatalogued code) is rethrown: a parser must refuse input only with its documented errors.
 */
export function refusedOr<T>(parse: () => T, allowed?: readonly string[]): T | undefined {
  try {
    return parse();
  } catch (err) {
    if (!isPortcullisError(err) || !Object.hasOwn(ERROR_CODES, err.code)) throw new Error(`threw something other than a PortcullisError: ${String(err)}`, { cause: err });
    if (allowed !== undefined && !allowed.includes(err.code)) throw new Error(`refused with ${err.code}, expected one of ${allowed.join(', ')}`, { cause: err });
    return undefined;
  }
}
