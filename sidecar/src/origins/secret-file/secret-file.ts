import { basename, dirname } from 'node:path';
import { PortcullisError } from '@portcullis/shared';
import type { Files, WatchedFile } from '../../io/files.js';
import { credentialFromFile, credentialValueProblem, type CredentialCharset } from '../credential-value.js';
import type { Origin } from '../origin.js';

/** `failed`: unreadable or missing; `invalid`: read, but not a value that can be sent (CREDENTIAL_INVALID). */
export type ReloadResult = 'loaded' | 'unchanged' | 'failed' | 'invalid';

export interface SecretFileOptions {
  /** Source name, for messages and metrics. */
  readonly source: string;
  readonly path: string;
  /** The spec field that names the Secret, for messages; default spec.http.secretRef. */
  readonly secretRefField?: string;
  /** Where the value goes (default `header`): decides which characters it may hold. */
  readonly charset?: CredentialCharset;
  /** Safety net besides file-system events (which a kubelet symlink swap may not always raise). */
  readonly pollIntervalMs: number;
  /** Reads the file and watches its folder (main.ts makes it). */
  readonly files: Files;
  readonly onReload: (result: ReloadResult, error?: Error) => void;
}

/**
 * A credential kept in a file (a Secret volume the kubelet keeps current). Read at start, re-read when
 * the folder changes and every `pollIntervalMs`; `get()` never touches the disk. One trailing newline is
 * dropped (`kubectl create secret --from-file` keeps the one editors add); a value that still cannot be
 * sent (a control character, non-ASCII for a header) is refused when it is loaded, not when it is used.
 */
export class SecretFile implements Origin<string> {
  readonly principal: Readonly<Record<string, string>> = {};
  private value: string | undefined;
  private why = 'not read yet';
  private invalid = false;
  private readonly watched: WatchedFile;
  private reading: Promise<void> | undefined;
  private again = false;

  private constructor(private readonly opts: SecretFileOptions) {
    // A missing folder is no error here: the fallback re-read picks the file up once it appears.
    this.watched = opts.files.watch({ dir: dirname(opts.path), fallbackMs: opts.pollIntervalMs }, () => void this.reload());
  }

  static async open(opts: SecretFileOptions): Promise<SecretFile> {
    const file = new SecretFile(opts);
    await file.reload();
    return file;
  }

  /** The current credential; CREDENTIAL_UNAVAILABLE when the file is missing, CREDENTIAL_INVALID when unusable. */
  get(): string {
    if (this.value !== undefined) return this.value;
    if (this.invalid) throw new PortcullisError('CREDENTIAL_INVALID', this.why);
    throw new PortcullisError(
      'CREDENTIAL_UNAVAILABLE',
      `the credential of source "${this.opts.source}" is unavailable (${this.why}); check the Secret named in ${this.opts.secretRefField ?? 'spec.http.secretRef'} and that it is mounted at ${dirname(this.opts.path)}`,
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

  /** What is wrong with the current value, or undefined when it is usable (for /readyz). */
  problem(): string | undefined {
    return this.value === undefined ? this.why : undefined;
  }

  private async read(): Promise<void> {
    let text: string;
    try {
      text = credentialFromFile(await this.opts.files.readText(this.opts.path));
      if (text === '') throw new PortcullisError('CREDENTIAL_UNAVAILABLE', `${basename(this.opts.path)} is empty`);
    } catch (err) {
      const error = err as NodeJS.ErrnoException;
      this.why = error.code === 'ENOENT' ? `${this.opts.path} does not exist` : error.message;
      this.value = undefined;
      this.invalid = false;
      this.opts.onReload('failed', error);
      return;
    }
    const reason = credentialValueProblem(text, this.opts.charset ?? 'header');
    if (reason !== undefined) {
      const wasInvalid = this.invalid && this.value === undefined;
      this.why = `the credential of source "${this.opts.source}" in ${this.opts.path} (the Secret named in ${this.opts.secretRefField ?? 'spec.http.secretRef'}) cannot be used: ${reason}; fix the value in the Secret`;
      this.value = undefined;
      this.invalid = true;
      this.opts.onReload(wasInvalid ? 'unchanged' : 'invalid', new PortcullisError('CREDENTIAL_INVALID', this.why));
      return;
    }
    const changed = text !== this.value;
    this.value = text;
    this.invalid = false;
    this.opts.onReload(changed ? 'loaded' : 'unchanged');
  }

  close(): void {
    this.watched.close();
  }
}
