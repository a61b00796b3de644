// The scale result as JSON types and as the Markdown BENCHMARKS.md shows (a table per step, the fitted
// lines and their value at 5,000 pods against issue 21's targets). Pure: main.ts measures, this formats.
import type { WindowRates } from './apiserver.ts';
import { hasTrend, linearFit, predict, type LinearFit } from './fit.ts';
import type { summarize } from '../lib/stats.ts';

export const EXTRAPOLATE_TO = 5000;
/** Issue 21: at 5,000 pods, at most 10 TokenReviews/s and a revocation p99 of at most 1 s. */
export const TARGETS = { tokenReviewsPerS: 10, revokeP99Ms: 1000 } as const;
/** The bench's pods get 3600 s identity tokens (fleet.ts), which a kubelet would rotate at 80 %. */
export const BENCH_TOKEN_LIFETIME_S = 3600;

/**
 * The longest run the bench can measure: nothing rotates its pods' token files (no kubelet), so a sidecar
 * whose token is 30 s from expiry stops serving and the next revocation probe fails. The first pods start
 * with the run; one minute is left for start-up and the revocation probes.
 */
export const LONGEST_RUN_S = BENCH_TOKEN_LIFETIME_S - 30 - 60;

/** The run's planned length: one settle and window per step and per variant. */
export function plannedRunSeconds(o: { steps: number; variant: boolean; settleS: number; windowS: number }): number {
  return (o.steps + (o.variant ? 1 : 0)) * (o.settleS + o.windowS);
}

/**
 * ADR 7's TokenReview budget per pod and second: the periodic reviews plus one per token rotation,
 * 1/interval + 1/(0.8 × token lifetime). `make scale` checks the fitted slope against it.
 */
export function reviewBudgetPerPodS(intervalS: number, tokenLifetimeS = BENCH_TOKEN_LIFETIME_S): number {
  return 1 / intervalS + 1 / (0.8 * tokenLifetimeS);
}

/** The TokenReview slope against the budget for the curve's review interval; undefined without a curve or with mixed intervals. */
export function reviewSlopeCheck(r: Pick<ScaleResult, 'steps' | 'curves'>): { intervalS: number; slope: number; budget: number; within: boolean } | undefined {
  const intervals = new Set(r.steps.filter((s) => s.variant === undefined).map((s) => s.reviewIntervalS));
  const curve = r.curves.find((c) => c.metric === 'TokenReviews');
  const intervalS = [...intervals][0];
  if (intervals.size !== 1 || !curve || intervalS === undefined) return undefined;
  const budget = reviewBudgetPerPodS(intervalS);
  return { intervalS, slope: curve.fit.slope, budget, within: curve.fit.slope <= budget };
}

export interface Step {
  /** A label for a step that is not on the N curve (e.g. another review interval); absent on the curve. */
  readonly variant?: string;
  readonly pods: number;
  readonly namespaces: number;
  readonly reviewIntervalS: number;
  readonly startSeconds: number;
  /** Pods that did not answer 200 right after the step's start-up (expected 0). */
  readonly notServing: number;
  readonly rates: WindowRates;
  readonly watchesOpen: number;
  readonly apiserverRssMiB: number;
  readonly etcdRssMiB: number;
  readonly sidecarRssMiB: number;
  /** Mean proportional set size of a sidecar (the shared executable pages split among them), MiB. */
  readonly sidecarPssMiB: number;
  /** CPU of all the sidecars together during the window, cores. */
  readonly sidecarCores: number;
  readonly memAvailableGiB: number;
  readonly loadAverage: readonly number[];
  /** Policy edit issued → first 403 from each pod of the edited namespaces, ms. */
  readonly revokeMs: ReturnType<typeof summarize>;
  /** The edit back → first 200, ms. */
  readonly grantMs: ReturnType<typeof summarize>;
  readonly apiCallMs: ReturnType<typeof summarize>;
}

export interface Curve {
  readonly metric: string;
  readonly unit: string;
  readonly fit: LinearFit;
  /** The line's value at 5,000 pods; without a trend (slope within 2 SE of 0), the mean of the steps. */
  readonly at5000: number;
  readonly trend: boolean;
  /** With a trend: the line with slope + 2 SE at 5,000 pods; without: the line with |slope| + 2 SE. A pessimistic bound. */
  readonly at5000Upper: number;
  readonly target?: number;
}

export interface ScaleResult {
  readonly date: string;
  readonly commit: string;
  readonly sidecar: string;
  readonly kubernetes: string;
  readonly machine: { readonly cpu: string; readonly cores: number; readonly memoryGiB: number };
  readonly podsPerNamespace: number;
  readonly windowSeconds: number;
  /** Why the run stopped before its last planned step, if it did. */
  readonly stoppedEarly?: string;
  readonly steps: readonly Step[];
  readonly curves: readonly Curve[];
}

const METRICS: readonly { metric: string; unit: string; of: (s: Step) => number; target?: number }[] = [
  { metric: 'TokenReviews', unit: '/s', of: (s) => s.rates.tokenReviewsPerS, target: TARGETS.tokenReviewsPerS },
  { metric: 'watches open', unit: '', of: (s) => s.watchesOpen },
  { metric: 'watches started', unit: '/s', of: (s) => s.rates.watchesStartedPerS },
  { metric: 'API requests (all)', unit: '/s', of: (s) => s.rates.requestsPerS },
  { metric: 'etcd requests', unit: '/s', of: (s) => s.rates.etcdRequestsPerS },
  { metric: 'kube-apiserver CPU', unit: 'cores', of: (s) => s.rates.apiserverCores },
  { metric: 'kube-apiserver RSS', unit: 'MiB', of: (s) => s.apiserverRssMiB },
  { metric: 'etcd CPU', unit: 'cores', of: (s) => s.rates.etcdCores },
  { metric: 'revocation p99', unit: 'ms', of: (s) => s.revokeMs.p99, target: TARGETS.revokeP99Ms },
];

/** Fits every metric over the steps on the curve (variants excluded). */
export function curves(steps: readonly Step[]): Curve[] {
  const onCurve = steps.filter((s) => s.variant === undefined);
  if (onCurve.length < 2) return [];
  const xs = onCurve.map((s) => s.pods);
  return METRICS.map(({ metric, unit, of, target }) => {
    const ys = onCurve.map(of);
    const fit = linearFit(xs, ys);
    const trend = hasTrend(fit);
    const finite = ys.filter((y) => Number.isFinite(y));
    const mean = finite.reduce((a, b) => a + b, 0) / finite.length;
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const upperSlope = (trend ? fit.slope : Math.abs(fit.slope)) + 2 * (Number.isFinite(fit.slopeSE) ? fit.slopeSE : 0);
    return {
      metric, unit, fit, trend,
      at5000: trend ? predict(fit, EXTRAPOLATE_TO) : mean,
      // Through the centre of the data (mean x, mean y) with the steeper slope.
      at5000Upper: mean + upperSlope * (EXTRAPOLATE_TO - mx),
      ...(target !== undefined ? { target } : {}),
    };
  });
}

const f = (v: number, digits = 1): string => (Number.isFinite(v) ? v.toFixed(digits) : '—');
const g = (v: number): string => (!Number.isFinite(v) ? '—' : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2));

export function stepTable(steps: readonly Step[]): string {
  return [
    '| pods (ns) | review every | TokenReviews/s | lists/s | watches open | watches started/s | all requests/s | kube-apiserver CPU (mcores) | kube-apiserver RSS (MiB) | etcd CPU (mcores) / RSS (MiB) | revocation p50 / p99 / max (ms, n) | sidecar RSS / PSS (MiB, mean) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...steps.map((s) =>
      [
        `${s.pods} (${s.namespaces})${s.variant ? ` — ${s.variant}` : ''}`,
        `${s.reviewIntervalS} s`,
        f(s.rates.tokenReviewsPerS, 2),
        f(s.rates.listsPerS, 3),
        String(s.watchesOpen),
        f(s.rates.watchesStartedPerS, 3),
        f(s.rates.requestsPerS, 1),
        f(s.rates.apiserverCores * 1000, 0),
        f(s.apiserverRssMiB, 0),
        `${f(s.rates.etcdCores * 1000, 0)} / ${f(s.etcdRssMiB, 0)}`,
        `${f(s.revokeMs.p50, 0)} / ${f(s.revokeMs.p99, 0)} / ${f(s.revokeMs.max, 0)} (${s.revokeMs.n})`,
        `${f(s.sidecarRssMiB, 1)} / ${f(s.sidecarPssMiB ?? Number.NaN, 1)}`,
      ].join(' | '),
    ).map((row) => `| ${row} |`),
  ].join('\n');
}

export function curveTable(cs: readonly Curve[]): string {
  return [
    `| metric | per pod (slope ± SE) | at 0 pods (intercept) | r² | at ${EXTRAPOLATE_TO.toLocaleString('en-US')} pods | pessimistic (slope + 2 SE) | target | verdict |`,
    '|---|---|---|---|---|---|---|---|',
    ...cs.map((c) => {
      const verdict = c.target === undefined ? '' : c.at5000 <= c.target ? (c.at5000Upper <= c.target ? '**met**' : '**met** (not with the pessimistic slope)') : '**missed**';
      const unit = c.unit === '' ? '' : ` ${c.unit}`;
      const value = c.trend ? `**${g(c.at5000)}${unit}**` : `**${g(c.at5000)}${unit}** (no trend: mean of the steps)`;
      return `| ${c.metric} | ${g(c.fit.slope)} ± ${g(c.fit.slopeSE)}${unit} | ${g(c.fit.intercept)}${unit} | ${f(c.fit.r2, 3)} | ${value} | ${g(c.at5000Upper)}${unit} | ${c.target === undefined ? '' : `≤ ${c.target}${unit}`} | ${verdict} |`;
    }),
  ].join('\n');
}

export interface ReviewCost {
  readonly pods: number;
  readonly reviewsPerSDelta: number;
  /** kube-apiserver and etcd CPU per TokenReview, ms: the CPU difference over the review-rate difference. */
  readonly apiserverCpuMsPerReview: number;
  readonly etcdCpuMsPerReview: number;
  readonly etcdRequestsPerReview: number;
}

/**
 * What one TokenReview costs, from the largest step on the curve and a variant at the same N with another
 * review interval: everything else (watches, objects, pods) is the same, so the differences are the reviews'.
 */
export function reviewCost(steps: readonly Step[]): ReviewCost | undefined {
  const variant = steps.find((s) => s.variant !== undefined);
  const base = variant && steps.filter((s) => s.variant === undefined && s.pods === variant.pods).at(-1);
  if (!variant || !base) return undefined;
  const d = base.rates.tokenReviewsPerS - variant.rates.tokenReviewsPerS;
  if (!(Math.abs(d) > 0.1)) return undefined;
  return {
    pods: base.pods,
    reviewsPerSDelta: d,
    apiserverCpuMsPerReview: ((base.rates.apiserverCores - variant.rates.apiserverCores) / d) * 1000,
    etcdCpuMsPerReview: ((base.rates.etcdCores - variant.rates.etcdCores) / d) * 1000,
    etcdRequestsPerReview: (base.rates.etcdRequestsPerS - variant.rates.etcdRequestsPerS) / d,
  };
}

export function summary(r: ScaleResult): string {
  const cost = reviewCost(r.steps);
  const check = reviewSlopeCheck(r);
  return [
    `Scale of cluster-mode sidecars (\`${r.sidecar}\`, ${r.commit}) against one local kube-apiserver ${r.kubernetes} + etcd (no kubelet: pods stay Pending), ${r.machine.cores} cores (${r.machine.cpu}), ${r.machine.memoryGiB} GiB; ${r.date}. ${r.podsPerNamespace} pods per namespace, each namespace with ${r.podsPerNamespace} CredentialSources and ${r.podsPerNamespace + 1} EgressPolicies (8 rules each, plus the \`bench\` policy the revocation edit flips). Rates over a ${r.windowSeconds} s window at steady state after start-up; revocation = one EgressPolicy replace → first 403 from every pod of the edited namespace (probing every 2 ms).${r.stoppedEarly ? ` Stopped early: ${r.stoppedEarly}.` : ''}`,
    '',
    stepTable(r.steps),
    '',
    `Linear fit over the steps (variants excluded), extrapolated to ${EXTRAPOLATE_TO.toLocaleString('en-US')} pods:`,
    '',
    curveTable(r.curves),
    ...(check
      ? [
          '',
          `TokenReview slope **${check.slope.toPrecision(3)}** per pod·s against ADR 7's budget for a ${check.intervalS} s interval with ${BENCH_TOKEN_LIFETIME_S} s tokens, 1/${check.intervalS} + 1/${0.8 * BENCH_TOKEN_LIFETIME_S} = ${check.budget.toPrecision(3)}: **${check.within ? 'within' : 'over'}**.`,
        ]
      : []),
    ...(cost
      ? [
          '',
          `One TokenReview, from the ${cost.pods}-pod step against the same pods on a longer review interval (${f(cost.reviewsPerSDelta, 2)} reviews/s apart): **${f(cost.apiserverCpuMsPerReview, 2)} ms** of kube-apiserver CPU, ${f(cost.etcdCpuMsPerReview, 2)} ms of etcd CPU and ${f(cost.etcdRequestsPerReview, 1)} etcd requests.`,
        ]
      : []),
  ].join('\n');
}
