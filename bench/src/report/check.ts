// One target checked against one measured value: the row of BENCHMARKS.md's targets table.
export interface TargetCheck {
  readonly what: string;
  readonly target: string;
  /** Measured value as text; undefined when the measurement is not available. */
  readonly measured: string | undefined;
  readonly met: boolean | undefined;
  readonly note?: string;
}

export const ms = (v: number): string => `${v.toFixed(3)} ms`;
export const x = (v: number): string => `${v.toFixed(2)}×`;

export function check(what: string, target: string, value: number | undefined, ok: (v: number) => boolean, fmt: (v: number) => string, note?: string): TargetCheck {
  const valid = value !== undefined && Number.isFinite(value);
  return { what, target, measured: valid ? fmt(value) : undefined, met: valid ? ok(value) : undefined, ...(note ? { note } : {}) };
}

export const unavailable = (v: { available: boolean; reason?: string } | undefined): string | undefined => (v && !v.available ? `not available: ${v.reason ?? ''}` : undefined);
