// Test helper: runs the CLI in-process with files from testdata/ and in-memory stdout/stderr.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CliIo } from '../io.js';
import { runCli } from '../program.js';

export const TESTDATA = fileURLToPath(new URL('../../testdata/', import.meta.url));

export interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `portcullis <argv>`; `files` are extra in-memory files by name, `stdin` the text of standard input. */
export async function run(argv: readonly string[], files: Readonly<Record<string, string>> = {}, stdin = ''): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const read = (path: string): string => files[path] ?? readFileSync(path.startsWith('/') ? path : `${TESTDATA}${path}`, 'utf8');
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readFile: (path) => Promise.resolve(read(path)),
    lines: (path) => (path === '-' ? stdin : read(path)).split('\n'),
    kubeConfig: () => {
      throw new Error('no cluster in unit tests');
    },
  };
  const status = await runCli(argv, io);
  return { status, stdout, stderr };
}
