import { StringDecoder } from 'node:string_decoder';
import { PortcullisError } from '../../../errors/index.js';

/**
 * Splits a watch response body into its JSON events, one per line, whatever the chunking: a line (or a
 * multi-byte character) may span any number of chunks. A line that is not JSON is reported, not skipped.
 */
export class JsonLines {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(
    private readonly onValue: (value: unknown) => void,
    private readonly maxLineChars = 16 * 1024 * 1024,
  ) {}

  push(chunk: Buffer): void {
    this.pending += this.decoder.write(chunk);
    let nl = this.pending.indexOf('\n');
    while (nl !== -1) {
      this.emit(this.pending.slice(0, nl));
      this.pending = this.pending.slice(nl + 1);
      nl = this.pending.indexOf('\n');
    }
    if (this.pending.length > this.maxLineChars) {
      throw new PortcullisError('KUBE_API_INVALID_ANSWER', `watch event longer than ${this.maxLineChars} characters without a line break`);
    }
  }

  /** The stream ended: a last line without a newline still counts. */
  end(): void {
    this.pending += this.decoder.end();
    const rest = this.pending;
    this.pending = '';
    this.emit(rest);
  }

  private emit(line: string): void {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new PortcullisError('KUBE_API_INVALID_ANSWER', `watch event is not JSON: ${JSON.stringify(line.slice(0, 120))}`);
    }
    this.onValue(value);
  }
}
