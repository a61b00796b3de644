import type { Logger } from 'pino';
import { apiFailure } from '../kube/api-errors.js';

export interface ReconcileLoopOptions {
  /** Names the loop in its log line ("status", "pod role"). */
  readonly name: string;
  readonly log: Logger;
  /** A change is reconciled this long after the last one (changes arrive in bursts). */
  readonly debounceMs: number;
  /** Also reconcile this often, after forget(): what is read and not watched, or edited by hand, is repaired. */
  readonly resyncMs: number;
  /** One full pass. Called only while leading, never twice at once. */
  readonly reconcile: () => Promise<void>;
  /** Forget what was written, so the next pass verifies everything (new leadership, resync). */
  readonly forget: () => void;
}

/**
 * The schedule shared by the webhook's controllers: they run only on the Lease holder, reconcile after
 * cache changes (debounced) and every `resyncMs`, one pass at a time (a change during a pass runs one
 * more). A failed pass is logged and retried on the next change or resync.
 */
export class ReconcileLoop {
  private leadingNow = false;
  private timer: NodeJS.Timeout | undefined;
  private resync: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly opts: ReconcileLoopOptions) {}

  get leading(): boolean {
    return this.leadingNow;
  }

  setLeading(leading: boolean): void {
    this.leadingNow = leading;
    clearInterval(this.resync);
    clearTimeout(this.timer);
    this.opts.forget();
    if (!leading) return;
    this.resync = setInterval(() => {
      this.opts.forget();
      this.changed();
    }, this.opts.resyncMs);
    this.resync.unref();
    this.changed();
  }

  /** What the controller watches changed: reconcile soon. */
  changed(): void {
    if (!this.leadingNow) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), this.opts.debounceMs);
    this.timer.unref();
  }

  stop(): void {
    this.setLeading(false);
  }

  /** One full pass now, or one more after the pass in progress (tests call it directly). */
  async run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.opts
      .reconcile()
      .catch((err: unknown) => this.opts.log.warn(apiFailure(err), `${this.opts.name} reconcile failed`))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.changed();
        }
      });
    return this.running;
  }
}
