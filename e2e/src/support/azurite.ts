// Azurite (npm `azurite`), Microsoft's Azure Storage emulator, as the real Blob service peer: HTTPS with a
// test certificate and `--oauth basic`, so it accepts only Bearer tokens whose issuer is an Entra issuer,
// whose audience is Azure Storage and which are within their lifetime (it does not verify their signature:
// the Entra stand-in's tokens are checked by signature in the unit tests). In memory, no telemetry, port 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyPair } from '@portcullis/shared/pki';

export interface Azurite {
  /** https://127.0.0.1:<port>/devstoreaccount1: the account's Blob endpoint (path style). */
  readonly accountUrl: string;
  close(): Promise<void>;
  logTail(): string;
}

/** Azurite's fixed development account. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';

export async function startAzurite(pki: { leaf: KeyPair }, timeoutMs = 90_000): Promise<Azurite> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-azurite-'));
  writeFileSync(join(dir, 'cert.pem'), pki.leaf.certPem);
  writeFileSync(join(dir, 'key.pem'), pki.leaf.keyPem);
  const main = createRequire(import.meta.url).resolve('azurite/dist/src/blob/main.js');
  const child: ChildProcess = spawn(process.execPath, [
    main, '--blobHost', '127.0.0.1', '--blobPort', '0', '--inMemoryPersistence', '--disableTelemetry', '--silent',
    '--skipApiVersionCheck', '--oauth', 'basic', '--cert', join(dir, 'cert.pem'), '--key', join(dir, 'key.pem'),
  ], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  let log = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Azurite did not listen within ${timeoutMs} ms:\n${log.slice(-2000)}`));
    }, timeoutMs);
    const onOutput = (chunk: Buffer): void => {
      log += chunk.toString();
      const m = /successfully listens on https:\/\/127\.0\.0\.1:(\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', onOutput);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited (${code ?? 'signal'}) before listening:\n${log.slice(-2000)}`));
    });
  });
  return {
    accountUrl: `https://127.0.0.1:${port}/${AZURITE_ACCOUNT}`,
    logTail: () => log.slice(-2000),
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
          child.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          child.kill('SIGTERM');
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
