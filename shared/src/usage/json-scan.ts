/**
 * An incremental JSON scanner that finds, at any depth, the object values of the key "usage" and the
 * string values of the key "model", without parsing or keeping the rest of the document. It is fed
 * bytes as they stream (any split, even inside a string escape) and keeps only what it captures, each
 * capture bounded, so a response of any size costs a few small buffers. Malformed input is not an
 * error: the scanner just finds nothing more.
 */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJ = 0x7b;
const CLOSE_OBJ = 0x7d;
const OPEN_ARR = 0x5b;
const CLOSE_ARR = 0x5d;

const MAX_KEY_BYTES = 16;
const MAX_USAGE_BYTES = 16 * 1024;
const MAX_MODEL_BYTES = 256;
const MAX_DEPTH = 64;

export interface ScanSink {
  usage(value: Record<string, unknown>): void;
  model(value: string): void;
}

export class JsonUsageScanner {
  /** 1 = object, 2 = array, per open container. */
  private readonly stack: number[] = [];
  private inString = false;
  private escape = false;
  /** In an object, the next string is a key. */
  private expectKey = false;
  private stringIsKey = false;
  private key: number[] = [];
  private lastKey = '';
  /** After a key's colon: the next value belongs to lastKey. */
  private valueOfKey = false;
  /** Capturing a usage object: the depth it started at, and its bytes. */
  private usageDepth = -1;
  private usageParts: Buffer[] = [];
  private usageBytes = 0;
  private capturingModel = false;
  private modelParts: Buffer[] = [];
  private modelBytes = 0;

  constructor(private readonly sink: ScanSink) {}

  /** Where the usage object or model string being captured starts in the current chunk; -1: none. */
  private captureFrom = -1;
  private modelFrom = -1;

  write(chunk: Buffer): void {
    this.captureFrom = this.usageDepth >= 0 ? 0 : -1;
    this.modelFrom = this.capturingModel ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i] as number;
      if (this.inString) this.stringByte(c, chunk, i);
      else if (c === QUOTE) this.openString(i);
      else if (c === OPEN_OBJ || c === OPEN_ARR) this.open(c, i);
      else if (c === CLOSE_OBJ || c === CLOSE_ARR) this.close(chunk, i);
      else this.punctuation(c);
    }
    if (this.captureFrom >= 0 && this.usageDepth >= 0) this.addUsage(chunk.subarray(this.captureFrom));
    if (this.modelFrom >= 0 && this.capturingModel) this.addModel(chunk.subarray(this.modelFrom));
  }

  private stringByte(c: number, chunk: Buffer, i: number): void {
    if (this.escape) {
      this.escape = false;
    } else if (c === BACKSLASH) {
      this.escape = true;
    } else if (c === QUOTE) {
      this.inString = false;
      if (this.stringIsKey) {
        this.lastKey = this.key.length <= MAX_KEY_BYTES ? String.fromCharCode(...this.key) : '';
      } else if (this.capturingModel) {
        if (this.modelFrom >= 0) this.addModel(chunk.subarray(this.modelFrom, i));
        this.finishModel();
        this.modelFrom = -1;
      }
      return;
    }
    if (this.stringIsKey) this.keyByte(c);
  }

  private openString(i: number): void {
    this.inString = true;
    this.stringIsKey = this.expectKey;
    this.key.length = 0;
    if (!this.stringIsKey && this.valueOfKey && this.lastKey === 'model' && this.usageDepth < 0) {
      this.capturingModel = true;
      this.modelParts = [];
      this.modelBytes = 0;
      this.modelFrom = i + 1;
    }
    this.valueOfKey = false;
    this.expectKey = false;
  }

  private open(c: number, i: number): void {
    if (this.stack.length >= MAX_DEPTH) {
      this.giveUp();
      return;
    }
    if (c === OPEN_OBJ && this.valueOfKey && this.lastKey === 'usage' && this.usageDepth < 0) {
      this.usageDepth = this.stack.length;
      this.usageParts = [];
      this.usageBytes = 0;
      this.captureFrom = i;
    }
    this.stack.push(c === OPEN_OBJ ? 1 : 2);
    this.expectKey = c === OPEN_OBJ;
    this.valueOfKey = false;
  }

  private close(chunk: Buffer, i: number): void {
    this.stack.pop();
    this.expectKey = false;
    this.valueOfKey = false;
    if (this.usageDepth >= 0 && this.stack.length === this.usageDepth) {
      this.addUsage(chunk.subarray(this.captureFrom, i + 1));
      this.captureFrom = -1;
      if (this.usageDepth >= 0) this.finishUsage();
    }
  }

  private punctuation(c: number): void {
    if (c === COLON) {
      this.valueOfKey = true;
    } else if (c === COMMA) {
      this.expectKey = this.stack[this.stack.length - 1] === 1;
      this.valueOfKey = false;
    } else if (c > 0x20 && this.valueOfKey) {
      // A number, true, false or null: not a value we capture.
      this.valueOfKey = false;
    }
  }

  private keyByte(c: number): void {
    if (this.key.length <= MAX_KEY_BYTES) this.key.push(c);
  }

  private addUsage(part: Buffer): void {
    this.usageBytes += part.length;
    if (this.usageBytes > MAX_USAGE_BYTES) {
      // Not a usage object of any provider we know: stop capturing, keep scanning.
      this.usageDepth = -1;
      this.usageParts = [];
      return;
    }
    this.usageParts.push(Buffer.from(part));
  }

  private finishUsage(): void {
    const text = Buffer.concat(this.usageParts).toString('utf8');
    this.usageDepth = -1;
    this.usageParts = [];
    try {
      const value: unknown = JSON.parse(text);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) this.sink.usage(value as Record<string, unknown>);
    } catch {
      // Not JSON after all (the scanner does not validate): nothing to report.
    }
  }

  private addModel(part: Buffer): void {
    this.modelBytes += part.length;
    if (this.modelBytes > MAX_MODEL_BYTES) {
      this.capturingModel = false;
      return;
    }
    this.modelParts.push(Buffer.from(part));
  }

  private finishModel(): void {
    this.capturingModel = false;
    const raw = Buffer.concat(this.modelParts).toString('utf8');
    try {
      this.sink.model(JSON.parse(`"${raw}"`) as string);
    } catch {
      // A broken escape: no model.
    }
  }

  /** Nesting deeper than any provider's response: stop capturing (and do not grow the stack). */
  private giveUp(): void {
    this.stack.length = 0;
    this.captureFrom = -1;
    this.modelFrom = -1;
    this.usageDepth = -1;
    this.capturingModel = false;
    this.inString = false;
  }
}
