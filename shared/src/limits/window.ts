/** Budget windows: a run (the pod's lifetime), or a UTC clock hour or day. */
export type BudgetWindow = 'Run' | 'Hour' | 'Day';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface WindowSlot {
  /** Part of the counter key: `run`, `h<epoch hours>` or `d<epoch days>`. */
  readonly id: string;
  /** When the window ends (ms since the epoch); undefined for a run, which ends with the pod. */
  readonly endsAtMs: number | undefined;
}

/** The window slot `nowMs` falls in. */
export function windowSlot(window: BudgetWindow, nowMs: number): WindowSlot {
  switch (window) {
    case 'Hour': {
      const n = Math.floor(nowMs / HOUR_MS);
      return { id: `h${n}`, endsAtMs: (n + 1) * HOUR_MS };
    }
    case 'Day': {
      const n = Math.floor(nowMs / DAY_MS);
      return { id: `d${n}`, endsAtMs: (n + 1) * DAY_MS };
    }
    default:
      return { id: 'run', endsAtMs: undefined };
  }
}
