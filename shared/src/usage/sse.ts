/**
 * Server-sent events, incrementally: the bytes of each event's `data:` lines go to a fresh sink per
 * event as they arrive (lines joined with "\n"), so no event and no line is ever held whole. Other
 * fields (event:, id:, comments) are skipped. Handles LF, CRLF and CR line ends split anywhere.
 */
export interface EventDataSink {
  write(chunk: Buffer): void;
}

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const NEWLINE = Buffer.from('\n');
const MAX_FIELD_BYTES = 16;

export class SseDataSplitter {
  private atLineStart = true;
  private field: number[] = [];
  /** 'field': reading the field name; 'data': feeding the value; 'skip': ignoring the rest of the line. */
  private mode: 'field' | 'data' | 'skip' = 'field';
  private skipSpace = false;
  private lastWasCR = false;
  private sink: EventDataSink | undefined;

  constructor(private readonly newEvent: () => EventDataSink) {}

  /** Where the data value being fed starts in the current chunk; -1: none. */
  private dataFrom = -1;

  write(chunk: Buffer): void {
    this.dataFrom = this.mode === 'data' ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i] as number;
      if (c === LF && this.lastWasCR) {
        this.lastWasCR = false;
        continue;
      }
      this.lastWasCR = c === CR;
      if (c === LF || c === CR) this.lineEnd(chunk, i);
      else if (this.mode === 'field') this.fieldByte(c, i);
      else if (this.mode === 'data' && this.skipSpace) this.firstDataByte(c, i);
    }
    if (this.mode === 'data' && this.dataFrom >= 0 && this.dataFrom < chunk.length) this.sink?.write(chunk.subarray(this.dataFrom));
  }

  private lineEnd(chunk: Buffer, i: number): void {
    if (this.mode === 'data' && this.dataFrom >= 0 && i > this.dataFrom) this.sink?.write(chunk.subarray(this.dataFrom, i));
    this.dataFrom = -1;
    this.endLine();
  }

  private fieldByte(c: number, i: number): void {
    this.atLineStart = false;
    if (c !== COLON) {
      if (this.field.length < MAX_FIELD_BYTES) this.field.push(c);
      else this.mode = 'skip';
      return;
    }
    if (String.fromCharCode(...this.field) !== 'data') {
      this.mode = 'skip';
      return;
    }
    this.startData();
    this.mode = 'data';
    this.skipSpace = true;
    this.dataFrom = i + 1;
  }

  /** One space after "data:" is not part of the value. */
  private firstDataByte(c: number, i: number): void {
    this.skipSpace = false;
    if (c === SPACE) this.dataFrom = i + 1;
  }

  private startData(): void {
    if (!this.sink) this.sink = this.newEvent();
    else this.sink.write(NEWLINE);
  }

  private endLine(): void {
    if (this.atLineStart) {
      // A blank line ends the event.
      this.sink = undefined;
    } else if (this.mode === 'field' && String.fromCharCode(...this.field) === 'data') {
      // "data" with no colon: an empty data line.
      this.startData();
    }
    this.atLineStart = true;
    this.field = [];
    this.mode = 'field';
    this.skipSpace = false;
  }
}
