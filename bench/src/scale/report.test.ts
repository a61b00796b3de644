import { describe, expect, it } from '@jest/globals';
import type { WindowRates } from './apiserver.ts';
import { LONGEST_RUN_S, curves, plannedRunSeconds, reviewBudgetPerPodS, reviewCost, reviewSlopeCheck, type Step } from './report.ts';

const none = { n: 0, p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN };

function step(pods: number, reviewIntervalS: number, variant?: string): Step {
  const reviews = pods / reviewIntervalS;
  const rates: WindowRates = {
    seconds: 120, tokenReviewsPerS: reviews, listsPerS: 0, watchesStartedPerS: pods / 450, requestsPerS: reviews + 0.1,
    etcdRequestsPerS: 3 * reviews + 1, tokenReviewMeanMs: 2, apiserverCores: 0.02 + 0.004 * reviews + 0.0001 * pods, etcdCores: 0.01 + 0.001 * reviews,
  };
  return {
    ...(variant ? { variant } : {}), pods, namespaces: Math.ceil(pods / 10), reviewIntervalS, startSeconds: 1, notServing: 0, rates,
    watchesOpen: 2 * pods, apiserverRssMiB: 300 + pods, etcdRssMiB: 50, sidecarRssMiB: 65, sidecarPssMiB: 17, sidecarCores: 0, memAvailableGiB: 10, loadAverage: [],
    revokeMs: { ...none, p99: 20 + pods / 100 }, grantMs: none, apiCallMs: none,
  };
}

describe('scale report', () => {
  const steps = [step(10, 60), step(50, 60), step(200, 60), step(200, 600, 'review every 600 s')];

  it('fits the curve on the N steps only and extrapolates to 5,000 pods', () => {
    const byMetric = new Map(curves(steps).map((c) => [c.metric, c]));
    expect(byMetric.get('TokenReviews')?.at5000).toBeCloseTo(5000 / 60, 6);
    expect(byMetric.get('watches open')?.at5000).toBeCloseTo(10_000, 6);
    expect(byMetric.get('revocation p99')?.at5000).toBeCloseTo(70, 6);
  });

  it('prices one TokenReview from the variant at the same N', () => {
    const cost = reviewCost(steps);
    expect(cost?.pods).toBe(200);
    expect(cost?.apiserverCpuMsPerReview).toBeCloseTo(4, 6);
    expect(cost?.etcdCpuMsPerReview).toBeCloseTo(1, 6);
    expect(cost?.etcdRequestsPerReview).toBeCloseTo(3, 6);
  });

  it('has no review cost without a variant', () => {
    expect(reviewCost(steps.slice(0, 3))).toBeUndefined();
  });

  it('refuses a plan that outlasts the 3600 s tokens nothing rotates: three 900 s steps and a variant did', () => {
    expect(plannedRunSeconds({ steps: 3, variant: true, settleS: 20, windowS: 900 })).toBe(3680);
    expect(plannedRunSeconds({ steps: 3, variant: true, settleS: 20, windowS: 900 })).toBeGreaterThan(LONGEST_RUN_S);
    expect(plannedRunSeconds({ steps: 3, variant: false, settleS: 20, windowS: 900 })).toBeLessThanOrEqual(LONGEST_RUN_S);
    expect(plannedRunSeconds({ steps: 6, variant: true, settleS: 20, windowS: 120 })).toBeLessThanOrEqual(LONGEST_RUN_S);
  });

  it("checks the TokenReview slope against ADR 7's budget, 1/interval + 1/(0.8 × token lifetime)", () => {
    expect(reviewBudgetPerPodS(900)).toBeCloseTo(1 / 900 + 1 / 2880, 12);
    const on900 = [step(10, 900), step(25, 900), step(50, 900)];
    expect(reviewSlopeCheck({ steps: on900, curves: curves(on900) })).toMatchObject({ intervalS: 900, within: true });
    // A run on another interval is checked against that interval's budget.
    const on60 = [step(10, 60), step(50, 60)];
    expect(reviewSlopeCheck({ steps: on60, curves: curves(on60) })).toMatchObject({ intervalS: 60, within: true });
    const over = on900.map((s) => ({ ...s, rates: { ...s.rates, tokenReviewsPerS: s.pods / 600 } }));
    expect(reviewSlopeCheck({ steps: over, curves: curves(over) })).toMatchObject({ intervalS: 900, within: false });
  });
});
