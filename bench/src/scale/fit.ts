// The scale curve: an ordinary least-squares line y = intercept + slope·N through the measured steps,
// and its value at a pod count the machine cannot hold (5,000). Linear because every per-pod cost the
// sidecar puts on the API server is a fixed rate per pod (one TokenReview per review interval, two
// watches, one bookmark per watch a minute); r² says how well the steps agree with that.

export interface LinearFit {
  readonly intercept: number;
  readonly slope: number;
  /** Standard error of the slope (NaN with two points: no residual degrees of freedom). */
  readonly slopeSE: number;
  /** Coefficient of determination; NaN when every y is the same (nothing to explain). */
  readonly r2: number;
  readonly points: number;
}

export function linearFit(xs: readonly number[], ys: readonly number[]): LinearFit {
  if (xs.length !== ys.length) throw new RangeError(`linearFit: ${xs.length} x values but ${ys.length} y values`);
  const pairs = xs.map((x, i) => [x, ys[i] as number] as const).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const n = pairs.length;
  if (n < 2) throw new RangeError(`linearFit: needs at least 2 finite points, got ${n}`);
  let sx = 0;
  let sy = 0;
  for (const [x, y] of pairs) {
    sx += x;
    sy += y;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const [x, y] of pairs) {
    sxx += (x - mx) ** 2;
    sxy += (x - mx) * (y - my);
    syy += (y - my) ** 2;
  }
  if (sxx === 0) throw new RangeError('linearFit: every x is the same');
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let sse = 0;
  for (const [x, y] of pairs) sse += (y - (intercept + slope * x)) ** 2;
  const slopeSE = n > 2 ? Math.sqrt(sse / (n - 2) / sxx) : NaN;
  return { intercept, slope, slopeSE, r2: syy === 0 ? NaN : 1 - sse / syy, points: n };
}

/**
 * Whether the steps show a real trend: the slope is more than two standard errors from zero. Without one
 * the line's slope is noise, and multiplying it by 5,000 says nothing; the report then gives the mean.
 */
export const hasTrend = (fit: LinearFit): boolean => Math.abs(fit.slope) > 2 * fit.slopeSE;

export const predict = (fit: LinearFit, x: number): number => fit.intercept + fit.slope * x;
