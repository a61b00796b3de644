// `make demo` is the README's first command: this runs it as a newcomer would (against the control
// plane the e2e setup started, which it reuses) and checks it tells the whole story and exits 0.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const MAIN = fileURLToPath(new URL('../../dist/demo/main.js', import.meta.url));

describe('make demo', () => {
  it('runs the whole flow and exits 0', async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [MAIN], { env: { ...process.env, FORCE_COLOR: '0' }, timeout: 120_000 }, (err, out, errOut) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout: out, stderr: errOut }),
      );
    });
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('sidecar: portcullis-proxy (native sidecar');
    expect(stdout).toMatch(/allowed: POST \/v1\/chat\/completions → "Hello from behind the portcullis\."/);
    expect(stdout).toMatch(/denied: GET \/v1\/models → the SDK raises PermissionDeniedError/);
    expect(stdout).toMatch(/allowed: POST \/v1\/chat\/completions via openai-vault → "Hello from behind the portcullis\."/);
    expect(stdout).toMatch(/OpenBao audit log: read of secret\/data\/demo\/openai by service account [\w-]+\/agent \(verified at login\), pod [\w-]+\/agent\/agent-0/);
    expect(stdout).toMatch(/allowed: POST \/repos\/acme\/reports\/issues → 201 \(the sidecar signed an app JWT and minted an installation token/);
    expect(stdout).toMatch(/narrowed to repositories \["reports"\] and permissions \{"issues":"write"\}/);
    expect(stdout).toMatch(/refused by GitHub: GET \/repos\/acme\/billing → 404/);
    expect(stdout).toMatch(/allowed: GET \/reports\/read via reports-oauth2 → token minted by Hydra for system:serviceaccount:[\w-]+:agent \(scope reports\.read, client agent\); no client secret anywhere/);
    expect(stdout).toMatch(/volume portcullis-origin-tokens: projected token\(audience https:\/\/iam\.googleapis\.com\/projects\/\d+\/locations\/global\/workloadIdentityPools\/demo\/providers\/local-cluster\), token\(audience http:\/\/127\.0\.0\.1:\d+\/oauth2\/token\)/);
    expect(stdout).toMatch(/allowed: upload and download of gs:\/\/reports\/q3-summary\.txt → "Revenue up 12 %\." as serviceAccount:reports@demo-project\.iam\.gserviceaccount\.com/);
    expect(stdout).toMatch(/Google STS verified the pod token of system:serviceaccount:[\w-]+:agent/);
    expect(stdout).toMatch(/allowed: s3:GetObject q3\/summary\.txt → "Revenue up 12 %\."/);
    expect(stdout).toMatch(/denied: s3:DeleteObject → the SDK raises AccessDenied/);
    expect(stdout).toMatch(/\d+ ms after the label: 403 Portcullis suspended every call of this pod/);
    expect(stdout).toMatch(/stopped by its budget after [1-9]\d* calls/);
    expect(stdout).toMatch(/call \d+ refused: 429 .*budget "run-budget"/);
    expect(stdout).toMatch(/\d+ ms after the edit: 403/);
    expect(stdout).toContain('no credential appears in any log line: confirmed');
    expect(stdout).toContain('$ portcullis policy suggest audit.jsonl');
    expect(stdout).toMatch(/name: agent-suggested\n/);
    expect(stdout).toMatch(/policy test passes: the suggested policy would not deny any call that succeeded/);
    expect(stdout).toContain('Demo finished');
  }, 150_000);
});
