import { readFileSync, watch as fsWatch } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import type { Clock, Timer } from './clock.js';

/** Watching a folder; close() stops its events and its fallback timer. */
export interface WatchedFile {
  close(): void;
}

export interface WatchOptions {
  /** The folder to watch (not the file: see Files.watch). */
  readonly dir: string;
  /** Only changes of this entry count; undefined: any entry of the folder. */
  readonly name?: string;
  /** Also call back this often, whatever the events say (a missed or unsupported event, a folder that appears later). */
  readonly fallbackMs?: number;
  /** Call back once, this long after the last of a burst of events (editors write in several steps). */
  readonly debounceMs?: number;
  /** The folder cannot be watched (missing, or the watch failed); the fallback timer, if any, keeps going. */
  readonly onWatchError?: (err: Error) => void;
}

/** The sidecar's file access: main.ts makes the real one, and nothing else reads files or watches folders. Members are plain functions. */
export interface Files {
  readonly readText: (path: string) => Promise<string>;
  /** Start-up only (TLS material, kubeconfig), before anything is served. */
  readonly readTextNow: (path: string) => string;
  readonly isDirectory: (path: string) => Promise<boolean>;
  readonly list: (dir: string) => Promise<string[]>;
  /**
   * Calls `onChange` when the watched folder changes and every `fallbackMs`. The folder is watched, not
   * the file: the kubelet updates a Secret or projected volume by swapping its `..data` symlink, and
   * editors replace a file by renaming another over it; a watch on the file itself would see neither.
   */
  readonly watch: (opts: WatchOptions, onChange: () => void) => WatchedFile;
}

/** Files on the real file system, with timers from `clock`. */
export function nodeFiles(clock: Clock): Files {
  return {
    readText: (path) => readFile(path, 'utf8'),
    readTextNow: (path) => readFileSync(path, 'utf8'),
    isDirectory: async (path) => (await stat(path)).isDirectory(),
    list: (dir) => readdir(dir),
    watch: (opts, onChange) => {
      let debounce: Timer | undefined;
      const changed = (): void => {
        if (opts.debounceMs === undefined) return onChange();
        debounce?.cancel();
        debounce = clock.after(opts.debounceMs, onChange);
      };
      const fallback = opts.fallbackMs === undefined ? undefined : clock.every(opts.fallbackMs, onChange);
      let watcher: ReturnType<typeof fsWatch> | undefined;
      try {
        watcher = fsWatch(opts.dir, { persistent: false }, (_event, name) => {
          if (opts.name === undefined || name === opts.name) changed();
        });
        watcher.on('error', (err) => {
          watcher?.close();
          opts.onWatchError?.(err);
        });
      } catch (err) {
        opts.onWatchError?.(err as Error);
      }
      return {
        close: () => {
          debounce?.cancel();
          fallback?.cancel();
          watcher?.close();
        },
      };
    },
  };
}
