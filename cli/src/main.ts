#!/usr/bin/env node
// portcullis / kubectl-portcullis: the only file that reads argv, env (KUBECONFIG), files and stdin.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { KubeConfig } from '@kubernetes/client-node';
import { CliError } from './errors.js';
import type { CliIo } from './io.js';
import { runCli } from './program.js';

function lines(path: string): AsyncIterable<string> {
  const input = path === '-' ? process.stdin : createReadStream(path, { encoding: 'utf8' });
  input.on('error', () => undefined); // surfaced by the readline iterator below
  return (async function* () {
    try {
      yield* createInterface({ input, crlfDelay: Infinity });
    } catch (err) {
      throw new CliError('CLI_USAGE', `cannot read ${path === '-' ? 'stdin' : path}: ${(err as Error).message}`, { cause: err });
    }
  })();
}

const io: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (path) =>
    readFile(path, 'utf8').catch((err: unknown) => {
      throw new CliError('POLICY_FILE_INVALID', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
    }),
  lines,
  kubeConfig: (context) => {
    const kc = new KubeConfig();
    kc.loadFromDefault();
    if (context !== undefined) kc.setCurrentContext(context);
    return kc;
  },
};

process.exitCode = await runCli(process.argv.slice(2), io);
