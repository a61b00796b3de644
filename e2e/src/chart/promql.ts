// PromQL in the chart's dashboard and alerts, read with Prometheus' own grammar (@prometheus-io/lezer-promql,
// the parser of the Prometheus UI): syntax errors and the metric names each expression selects.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { chartDir } from './paths.js';

export interface PromqlCheck {
  /** Offsets of syntax errors (empty when the expression parses). */
  readonly errors: readonly number[];
  /** Metric names of every vector selector. */
  readonly metrics: readonly string[];
  /** Vector selectors without a metric name ({__name__=…}): the names could not be checked. */
  readonly unnamed: number;
}

/** Grafana's variables in a range or a matcher, replaced by what Grafana would put there. */
export function fromGrafana(expr: string): string {
  return expr.replace(/\$__rate_interval|\$__interval|\$__range/g, '5m').replace(/\$\{?(\w+)\}?/g, '.*');
}

export function checkPromql(expr: string): PromqlCheck {
  const errors: number[] = [];
  const metrics: string[] = [];
  let unnamed = 0;
  parser.parse(expr).iterate({
    enter: (n) => {
      if (n.type.isError) errors.push(n.from);
      if (n.name === 'VectorSelector') {
        const first = n.node.firstChild;
        if (first?.name === 'Identifier') metrics.push(expr.slice(first.from, first.to));
        else unnamed++;
      }
    },
  });
  return { errors, metrics, unnamed };
}

export interface Dashboard {
  readonly title: string;
  readonly uid: string;
  readonly panels: readonly { readonly title: string; readonly type: string; readonly targets?: readonly { readonly expr: string }[] }[];
  readonly templating: { readonly list: readonly { readonly name: string; readonly definition?: string }[] };
}

export const DASHBOARD_FILE = join(chartDir, 'dashboards/portcullis.json');

export function readDashboard(text = readFileSync(DASHBOARD_FILE, 'utf8')): Dashboard {
  return JSON.parse(text) as Dashboard;
}

/** Every PromQL expression of the dashboard, named by panel, with Grafana's variables filled in. */
export function dashboardExpressions(d: Dashboard): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = [];
  for (const p of d.panels) for (const t of p.targets ?? []) out.push({ where: `panel "${p.title}"`, expr: fromGrafana(t.expr) });
  for (const v of d.templating.list) {
    // label_values(<series selector>, <label>) is Grafana's, not PromQL; its selector is.
    const m = /^label_values\((.+),\s*\w+\)$/.exec(v.definition ?? '');
    if (m) out.push({ where: `variable $${v.name}`, expr: m[1] as string });
  }
  return out;
}

/** Series names a metric family of the Prometheus text format makes (histograms: _bucket, _sum, _count). */
export function exportedSeries(metricsText: string): Set<string> {
  const names = new Set<string>();
  for (const m of metricsText.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m as unknown as [string, string, string];
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(`${name}${s}`);
    else if (type === 'summary') for (const s of ['', '_sum', '_count']) names.add(`${name}${s}`);
    else names.add(name);
  }
  return names;
}
