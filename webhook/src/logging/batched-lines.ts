/** Where the batched text goes: process.stdout in main.ts, a collecting stream in tests. */
export interface LineSink {
  write(text: string): unknown;
}

export interface BatchedLinesOptions {
  /** Runs `flush` after the current event-loop turn (main.ts: setImmediate). */
  readonly schedule: (flush: () => void) => void;
  /** Written at once when this many characters are pending (bounds the memory one busy turn can hold). */
  readonly maxPendingChars: number;
}

/**
 * A pino destination that writes the log lines of one event-loop turn in one write. With 50 admissions
 * in flight the webhook answers several per turn, and each line on its own cost one write(2) to the
 * pipe (plus waking its reader); now a turn costs one. A line waits at most until the end of its turn:
 * nothing is held across I/O, and flush() writes what is pending (main.ts calls it before exiting).
 */
export class BatchedLines implements LineSink {
  private pending: string[] = [];
  private pendingChars = 0;
  private scheduled = false;
  private readonly flushScheduled = (): void => {
    this.scheduled = false;
    this.flush();
  };

  constructor(
    private readonly sink: LineSink,
    private readonly opts: BatchedLinesOptions,
  ) {}

  write(line: string): boolean {
    this.pending.push(line);
    this.pendingChars += line.length;
    if (this.pendingChars >= this.opts.maxPendingChars) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      this.opts.schedule(this.flushScheduled);
    }
    return true;
  }

  /** Writes every pending line now, in the order they were logged. */
  flush(): void {
    if (this.pending.length === 0) return;
    const text = this.pending.length === 1 ? (this.pending[0] as string) : this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    this.sink.write(text);
  }
}
