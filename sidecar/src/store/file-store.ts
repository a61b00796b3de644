import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { ResourceValidator } from '@portcullis/shared';
import type { Files, WatchedFile } from '../io/files.js';
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

export interface FileStoreOptions {
  /** A folder of YAML files, or one file. */
  readonly path: string;
  /** The namespace objects without one belong to (the --identity namespace). */
  readonly namespace: string;
  readonly validator: ResourceValidator;
  readonly hooks: FileStoreHooks;
  readonly log: Logger;
  /** File reads and the folder watch (main.ts makes the real one). */
  readonly files: Files;
  /** One re-read this long after the last of a burst of changes; default 50 ms. */
  readonly debounceMs?: number;
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
  private watched: WatchedFile | undefined;
  /** The last readable text of each file and what it gave (unchanged files are not validated again). */
  private files = new Map<string, FileState>();
  private readonly path: string;

  constructor(private readonly opts: FileStoreOptions) {
    this.path = opts.path;
  }

  async start(): Promise<void> {
    await this.load();
    // Editors replace files by renaming, which ends a watch on the file itself: watch its folder.
    const isDir = await this.opts.files.isDirectory(this.path);
    this.watched = this.opts.files.watch(
      {
        dir: isDir ? this.path : dirname(this.path),
        ...(isDir ? {} : { name: basename(this.path) }),
        debounceMs: this.opts.debounceMs ?? 50,
        onWatchError: (err) => this.opts.log.error({ err, path: this.path }, 'cannot watch the configuration'),
      },
      () => void this.load(),
    );
  }

  private async listFiles(): Promise<string[]> {
    return (await this.opts.files.isDirectory(this.path))
      ? (await this.opts.files.list(this.path)).filter((f) => YAML_FILE.test(f)).sort().map((f) => join(this.path, f))
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
        const text = await this.opts.files.readText(file);
        next.set(file, { text, parsed: before?.text === text ? before.parsed : parseResources(text, file, this.opts.namespace, this.opts.validator) });
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
    this.opts.log.debug({ path: this.path, files: files.length, objects: candidates.length, rejectedFiles: problems.length }, 'configuration read');
    this.opts.hooks.onLoad({ sources: batchOf('CredentialSource', candidates), policies: batchOf('EgressPolicy', candidates), files: problems });
  }

  stop(): void {
    this.watched?.close();
  }
}
