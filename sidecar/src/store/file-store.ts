import { watch, type FSWatcher } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { parseResources, type ParsedResources } from './parse-resources.js';

export interface FileStoreHooks {
  onLoad(resources: ParsedResources): void;
  /** The files could not be read or parsed: the caller must stop serving the old configuration. */
  onError(message: string): void;
}

const YAML_FILE = /\.ya?ml$/;

async function loadAll(path: string, namespace: string): Promise<ParsedResources> {
  const files = (await stat(path)).isDirectory()
    ? (await readdir(path)).filter((f) => YAML_FILE.test(f)).sort().map((f) => join(path, f))
    : [path];
  const all: ParsedResources = { sources: [], policies: [] };
  for (const file of files) {
    const parsed = parseResources(await readFile(file, 'utf8'), file, namespace);
    all.sources.push(...parsed.sources);
    all.policies.push(...parsed.policies);
  }
  return all;
}

/**
 * Standalone mode's source of CredentialSources and EgressPolicies: YAML files in a folder (or one file),
 * re-read on every change. A broken file is reported and the configuration is dropped, never half-applied.
 */
export class FileStore {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly path: string,
    private readonly namespace: string,
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

  private async load(): Promise<void> {
    try {
      const resources = await loadAll(this.path, this.namespace);
      this.log.info({ path: this.path, sources: resources.sources.length, policies: resources.policies.length }, 'configuration loaded');
      this.hooks.onLoad(resources);
    } catch (err) {
      const message = (err as Error).message;
      this.log.error({ path: this.path, problem: message }, 'configuration rejected; refusing requests until it is fixed');
      this.hooks.onError(message);
    }
  }

  stop(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
  }
}
