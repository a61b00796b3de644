import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { PortcullisError } from '@portcullis/shared';

export type ReloadResult = 'loaded' | 'unchanged' | 'failed';

export interface SecretFileOptions {
  /** Source name, for messages and metrics. */
  readonly source: string;
  readonly path: string;
  /** The spec field that names the Secret, for messages; default spec.http.secretRef. */
  readonly secretRefField?: string;
  /** Safety net besides file-system events (which a kubelet symlink swap may not always raise). */
  readonly pollIntervalMs: number;
  readonly onReload: (result: ReloadResult, error?: Error) => void;
}

/**
 * A credential kept in a file (a Secret volume the kubelet keeps current). Read at start, re-read when
 * the folder changes and every `pollIntervalMs`; `get()` never touches the disk. A trailing newline is
 * dropped (`kubectl create secret --from-file` keeps the one editors add).
 */
export class SecretFile {
  private value: string | undefined;
  private problem = 'not read yet';
  private watcher: FSWatcher | undefined;
  private readonly timer: NodeJS.Timeout;
  private reading: Promise<void> | undefined;
  private again = false;

  private constructor(private readonly opts: SecretFileOptions) {
    this.timer = setInterval(() => void this.reload(), opts.pollIntervalMs);
    this.timer.unref();
    try {
      // The kubelet swaps a `..data` symlink in the folder, so watch the folder, not the file.
      this.watcher = watch(dirname(opts.path), { persistent: false }, () => void this.reload());
      this.watcher.on('error', () => this.watcher?.close());
    } catch {
      this.watcher = undefined; // folder missing: polling still picks the file up once it appears
    }
  }

  static async open(opts: SecretFileOptions): Promise<SecretFile> {
    const file = new SecretFile(opts);
    await file.reload();
    return file;
  }

  /** The current credential; CREDENTIAL_UNAVAILABLE when the file is missing or empty. */
  get(): string {
    if (this.value !== undefined) return this.value;
    throw new PortcullisError(
      'CREDENTIAL_UNAVAILABLE',
      `the credential of source "${this.opts.source}" is unavailable (${this.problem}); check the Secret named in ${this.opts.secretRefField ?? 'spec.http.secretRef'} and that it is mounted at ${dirname(this.opts.path)}`,
    );
  }

  /** Re-reads the file; concurrent calls coalesce into one read plus at most one more. */
  reload(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = this.read().finally(() => {
      this.reading = undefined;
      if (this.again) {
        this.again = false;
        void this.reload();
      }
    });
    return this.reading;
  }

  private async read(): Promise<void> {
    try {
      const text = (await readFile(this.opts.path, 'utf8')).replace(/\r?\n$/, '');
      if (text === '') throw new Error(`${basename(this.opts.path)} is empty`);
      const changed = text !== this.value;
      this.value = text;
      this.opts.onReload(changed ? 'loaded' : 'unchanged');
    } catch (err) {
      const error = err as NodeJS.ErrnoException;
      this.problem = error.code === 'ENOENT' ? `${this.opts.path} does not exist` : error.message;
      this.value = undefined;
      this.opts.onReload('failed', error);
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.watcher?.close();
  }
}
