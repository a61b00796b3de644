import { watch, type FSWatcher } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { ResourceValidator } from '@portcullis/shared';
import { batchOf, type Candidate } from './candidates.js';
import type { Batch, Rejection } from './last-known-good.js';
import { parseResources, type ParsedFile } from './parse-resources.js';

/** What one read of the configuration gives: each kind's batch and the files (or documents) rejected whole. */
export interface FileLoad {
  readonly sources: Batch<'CredentialSource'>;
  readonly policies: Batch<'EgressPolicy'>;
  readonly files: readonly Rejection[];
}

export interface FileStoreHooks {
  onLoad(load: FileLoad): void;
}

const YAML_FILE = /\.ya?ml$/;

interface FileState {
  readonly text: string;
  readonly parsed: ParsedFile;
}

/**
 * Standalone mode's source of CredentialSources and EgressPolicies: YAML files in a folder (or one file),
 * re-read on every change. Each object is validated alone: an invalid one is rejected and its last
 * valid version stays in force; a file that is not YAML is rejected whole and everything it held before
 * stays (see docs/sidecar.md, "Invalid configuration").
 */
export class FileStore {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The last readable text of each file and what it gave (unchanged files are not validated again). */
  private files = new Map<string, FileState>();

  constructor(
    private readonly path: string,
    private readonly namespace: string,
    private readonly validator: ResourceValidator,
    private readonly hooks: FileStoreHooks,
    private readonly log: Logger,
    private readonly debounceMs = 50,
  ) {}

  async start(): Promise<void> {
    await this.load();
    // Editors replace files by renaming, which ends a watch on the file itself: watch its folder.
    const isDir = (await stat(this.path)).isDirectory();
    const only = isDir ? undefined : basename(this.path);
    this.watcher = watch(isDir ? this.path : dirname(this.path), { persistent: false }, (_event, name) => {
      if (only && name !== only) return;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.load(), this.debounceMs);
    });
    this.watcher.on('error', (err) => this.log.error({ err, path: this.path }, 'cannot watch the configuration'));
  }

  private async listFiles(): Promise<string[]> {
    return (await stat(this.path)).isDirectory()
      ? (await readdir(this.path)).filter((f) => YAML_FILE.test(f)).sort().map((f) => join(this.path, f))
      : [this.path];
  }

  /**
   * Reads every file. One that cannot be read or parsed is rejected whole and counts as what it was at
   * its last good read (so everything it held stays in force); a new file that never parsed holds nothing.
   */
  private async readAll(files: readonly string[]): Promise<{ candidates: Candidate[]; problems: Rejection[] }> {
    const next = new Map<string, FileState>();
    const problems: Rejection[] = [];
    for (const file of files) {
      const before = this.files.get(file);
      try {
        const text = await readFile(file, 'utf8');
        next.set(file, { text, parsed: before?.text === text ? before.parsed : parseResources(text, file, this.namespace, this.validator) });
      } catch (err) {
        problems.push({ kind: 'file', key: undefined, origin: file, field: undefined, message: (err as Error).message });
        if (before) next.set(file, before);
      }
    }
    this.files = next;
    const parsed = [...next.values()].map((f) => f.parsed);
    return { candidates: parsed.flatMap((p) => p.candidates), problems: [...problems, ...parsed.flatMap((p) => p.problems)] };
  }

  private async load(): Promise<void> {
    let files: string[];
    const problems: Rejection[] = [];
    try {
      files = await this.listFiles();
    } catch (err) {
      // The folder itself is gone or unreadable: keep every file as it was at its last good read.
      problems.push({ kind: 'file', key: undefined, origin: this.path, field: undefined, message: (err as Error).message });
      files = [...this.files.keys()];
    }
    const read = await this.readAll(files);
    const { candidates } = read;
    problems.push(...read.problems);
    this.log.debug({ path: this.path, files: files.length, objects: candidates.length, rejectedFiles: problems.length }, 'configuration read');
    this.hooks.onLoad({ sources: batchOf('CredentialSource', candidates), policies: batchOf('EgressPolicy', candidates), files: problems });
  }

  stop(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
  }
}
