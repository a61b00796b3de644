// `make demo`, last step: from Audit to Enforce — the CLI turns the audit lines just written into a policy
// and replays the same lines against it with the sidecar's engine.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli/run-cli.js';
import type { SidecarProcess } from '../support/sidecar-process.js';
import { detail, heading, ok } from './print.js';

export async function suggestPolicy(sidecar: SidecarProcess): Promise<void> {
  heading('From Audit to Enforce: portcullis policy suggest writes a least-privilege policy from these audit lines');
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-demo-cli-'));
  try {
    const audit = join(dir, 'audit.jsonl');
    writeFileSync(audit, `${sidecar.stdout.join('\n')}\n`);
    const suggested = await runCli(['policy', 'suggest', audit]);
    if (suggested.code !== 0) throw new Error(`portcullis policy suggest failed (${suggested.code}): ${suggested.stderr}`);
    detail(`$ portcullis policy suggest audit.jsonl    (${suggested.stderr.trim().split('\n').join('; ')})`);
    detail(suggested.stdout.trimEnd());
    const policy = join(dir, 'suggested.yaml');
    writeFileSync(policy, suggested.stdout);
    const tested = await runCli(['policy', 'test', '-p', policy, audit]);
    detail('$ portcullis policy test -p suggested.yaml audit.jsonl');
    detail(tested.stdout.trimEnd());
    if (tested.code !== 0) throw new Error(`portcullis policy test failed the suggestion (${tested.code}): ${tested.stderr}`);
    ok('policy test passes: the suggested policy would not deny any call that succeeded; kubectl apply it with mode: Enforce');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
