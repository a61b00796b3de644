import type { IncomingHttpHeaders } from 'node:http';
import { finishCall, PortcullisError, UsageMeter, type BudgetOutcome, type Grant, type ReportedUsage, type WorkloadLimits } from '@portcullis/shared';
import type { LimitMetrics } from './metrics.js';

/** The limits part of an audit line. */
export interface LimitAudit {
  /** Limits let through unchecked because their store was down and they fail open ("policy/limit"). */
  readonly failedOpen: readonly string[];
  /** Usage the provider reported; null when it reported none (the reservation is then charged on a 2xx). */
  readonly usage: { readonly model: string | null; readonly inputTokens: number; readonly outputTokens: number } | null;
  readonly budgets: readonly {
    readonly policy: string;
    readonly limit: string;
    readonly charged: { readonly inputTokens: number; readonly outputTokens: number; readonly costUSD: number };
    readonly remaining: Readonly<Record<string, number>>;
  }[];
}

/**
 * One granted call's metering: the response tap feeds the usage meter as bytes stream to the app, and
 * `finish` (once, when the exchange ends) settles the reservations with the reported usage — or charges
 * the worst case when a 2xx reported none (an interrupted stream, a stream without include_usage) and
 * nothing when the provider never answered or answered an error without usage.
 */
export class CallMeter {
  private meter: UsageMeter | undefined;
  private status = 0;
  private finished = false;

  constructor(
    private readonly grant: Grant,
    private readonly limits: WorkloadLimits,
    readonly metered: boolean,
    private readonly source: string,
    private readonly metrics: LimitMetrics,
  ) {}

  /** The response head arrived. A compressed body cannot be metered (budgeted calls ask for identity). */
  head(status: number, headers: IncomingHttpHeaders): void {
    this.status = status;
    const encoding = headers['content-encoding'];
    if (this.metered && (encoding === undefined || encoding === 'identity')) this.meter = new UsageMeter(headers['content-type']);
  }

  data(chunk: Buffer): void {
    this.meter?.write(chunk);
  }

  async finish(requestId: string, upstreamCharged: boolean): Promise<LimitAudit> {
    if (this.finished) throw new PortcullisError('INTERNAL', 'a call was settled twice');
    this.finished = true;
    const usage: ReportedUsage | undefined = this.meter?.result();
    const charge = usage === undefined && upstreamCharged && (this.status === 0 || (this.status >= 200 && this.status < 300)) ? 'reserved' : 'none';
    const outcomes = await finishCall(this.grant, requestId, usage, charge, this.limits.prices);
    this.count(usage, outcomes);
    return {
      failedOpen: this.grant.failedOpen,
      usage: usage ? { model: usage.model ?? null, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens } : null,
      budgets: outcomes.map((o) => ({
        policy: o.policy,
        limit: o.limit,
        charged: { inputTokens: o.charged.inputTokens, outputTokens: o.charged.outputTokens, costUSD: o.charged.costMicroUSD / 1_000_000 },
        remaining: o.remaining,
      })),
    };
  }

  private count(usage: ReportedUsage | undefined, outcomes: readonly BudgetOutcome[]): void {
    if (usage) {
      this.metrics.tokens.inc({ source: this.source, direction: 'input' }, usage.inputTokens);
      this.metrics.tokens.inc({ source: this.source, direction: 'output' }, usage.outputTokens);
    }
    const cost = outcomes[0]?.charged.costMicroUSD ?? 0;
    if (cost > 0) this.metrics.costMicroUSD.inc({ source: this.source }, cost);
    for (const o of outcomes) {
      for (const [dimension, value] of Object.entries(o.remaining)) this.metrics.budgetRemaining.set({ policy: o.policy, limit: o.limit, dimension }, value);
    }
  }
}
