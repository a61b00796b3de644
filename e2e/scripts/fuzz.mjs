// `make fuzz`: runs every property test (*.property.test.ts beside its parser) with FUZZ_RUNS cases per
// property (default 1,000,000), one jest process per file, and reports cases, time and cases/s per property.
// Hangs: each call is bounded in-process (FUZZ_CALL_LIMIT_MS, default 2000: a slower call fails the property
// with a reproducible counterexample), and a process that reports no progress for FUZZ_STALL_SECONDS
// (default 300) is killed and reported with its seed and the last case count. Reproduce a finding with
//   FUZZ_SEED=<seed> FUZZ_PATH=<path> FUZZ_RUNS=1 node --experimental-vm-modules node_modules/jest/bin/jest.js --selectProjects unit --testPathPatterns <file> -t '<test name>'
// with the `path` fast-check's failure message prints (it replays that one counterexample).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RUNS = process.env.FUZZ_RUNS ?? '1000000';
const SEED = process.env.FUZZ_SEED ?? String(Date.now() % 2147483647);
const STALL_MS = Number(process.env.FUZZ_STALL_SECONDS ?? 300) * 1000;
const FILES = (process.env.FUZZ_FILES ?? [
  'shared/src/policy/glob.property.test.ts',
  'shared/src/http/normalize-path.property.test.ts',
  'webhook/src/admission/review.property.test.ts',
  'shared/src/aws/sigv4/credential-scope.property.test.ts',
  'shared/src/aws/classify/classify.property.test.ts',
  'shared/src/aws/chunked/resigner.property.test.ts',
].join(',')).split(',');

const dir = mkdtempSync(join(tmpdir(), 'portcullis-fuzz-'));
console.log(`fuzz: ${RUNS} cases per property, seed ${SEED}, call limit ${process.env.FUZZ_CALL_LIMIT_MS ?? 2000} ms, stall ${STALL_MS / 1000} s, reports in ${dir}`);

function runFile(file, report) {
  return new Promise((resolve) => {
    const env = { ...process.env, FUZZ_RUNS: RUNS, FUZZ_SEED: SEED, FUZZ_REPORT: report };
    const child = spawn('node', ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', '--selectProjects', 'unit', '--testTimeout', '86400000', '--testPathPatterns', file], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    let stalled = false;
    const watchdog = setInterval(() => {
      const last = existsSync(report) ? statSync(report).mtimeMs : 0;
      if (Date.now() - Math.max(last, started) > STALL_MS) {
        stalled = true;
        process.kill(-child.pid, 'SIGKILL');
      }
    }, 1000);
    const started = Date.now();
    child.on('exit', (code) => {
      clearInterval(watchdog);
      resolve({ code, stalled, output });
    });
  });
}

const rows = [];
let findings = 0;
for (const file of FILES) {
  const report = join(dir, `${file.replaceAll('/', '_')}.jsonl`);
  const { code, stalled, output } = await runFile(file, report);
  const lines = existsSync(report) ? readFileSync(report, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  const byName = new Map();
  for (const l of lines) byName.set(l.name, l);
  for (const [name, l] of byName) {
    const status = l.kind === 'done' ? 'ok' : l.kind === 'failed' ? 'FAILED' : stalled ? 'HANG' : 'UNFINISHED';
    if (status !== 'ok') findings++;
    rows.push({ name, file, status, cases: l.cases ?? 0, seconds: (l.ms ?? 0) / 1000, error: l.error });
    console.log(`fuzz: ${name.padEnd(26)} ${status.padEnd(10)} ${String(l.cases ?? 0).padStart(9)} cases ${((l.ms ?? 0) / 1000).toFixed(1).padStart(8)} s ${Math.round(((l.cases ?? 0) * 1000) / Math.max(1, l.ms ?? 1)).toString().padStart(8)} cases/s`);
    if (status !== 'ok') console.log(`fuzz:   ${status} in ${file}, seed ${SEED}: reproduce with FUZZ_SEED=${SEED} FUZZ_PATH=<path below> FUZZ_RUNS=1 and --testPathPatterns ${file}\n${(l.error ?? '').slice(0, 2000)}`);
  }
  if (code !== 0 && byName.size === 0) {
    findings++;
    console.log(`fuzz: ${file} failed before reporting (exit ${code}${stalled ? ', stalled' : ''}):\n${output.slice(-3000)}`);
  }
}
const total = rows.reduce((n, r) => n + r.cases, 0);
const seconds = rows.reduce((n, r) => n + r.seconds, 0);
console.log(`fuzz: ${rows.length} properties, ${total} cases in ${seconds.toFixed(0)} s (${Math.round(total / Math.max(seconds, 0.001))} cases/s), seed ${SEED}, ${findings} finding(s)`);
process.exit(findings === 0 ? 0 : 1);
