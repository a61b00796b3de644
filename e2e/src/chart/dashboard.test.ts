// The dashboard's PromQL without a cluster: every expression parses with Prometheus' grammar and names
// only portcullis_ metrics. (dashboard.e2e.test.ts checks the names against running processes, and the
// alerts, rendered by helm.)
import { describe, expect, it } from '@jest/globals';
import { checkPromql, dashboardExpressions, exportedSeries, fromGrafana, readDashboard } from './promql.js';

const dashboard = readDashboard();
const expressions = dashboardExpressions(dashboard);

describe('charts/portcullis/dashboards/portcullis.json', () => {
  it('has panels with queries and a stable uid', () => {
    expect(dashboard.uid).toBe('portcullis-overview');
    expect(expressions.length).toBeGreaterThan(15);
  });

  it.each(expressions.map((e) => [e.where, e.expr]))('%s parses as PromQL and names only portcullis_ metrics: %s', (_where, expr) => {
    const check = checkPromql(expr);
    expect(check.errors).toEqual([]);
    expect(check.unnamed).toBe(0);
    expect(check.metrics.length).toBeGreaterThan(0);
    for (const m of check.metrics) expect(m).toMatch(/^portcullis_(sidecar|webhook)_/);
  });

  it('covers what the issue lists: calls, denials, latency, upstream errors, credentials, identity, admissions', () => {
    const all = expressions.map((e) => e.expr).join('\n');
    for (const metric of [
      'portcullis_sidecar_requests_total',
      'portcullis_sidecar_request_duration_seconds_bucket',
      'portcullis_sidecar_upstream_duration_seconds_bucket',
      'portcullis_sidecar_credential_reloads_total',
      'portcullis_sidecar_identity_verified',
      'portcullis_webhook_admissions_total',
      'portcullis_webhook_admission_duration_seconds_bucket',
    ]) {
      expect(all).toContain(metric);
    }
    expect(all).toContain('decision=~"deny|audit_deny');
  });

  it('the checker catches a syntax error and reads names the way Prometheus does (so the checks above can fail)', () => {
    expect(checkPromql('sum(rate(portcullis_sidecar_requests_total[5m]) by (source)').errors.length).toBeGreaterThan(0);
    expect(checkPromql('rate(portcullis_sidecar_request_total[5m]) / on (pod) portcullis_webhook_leader').metrics).toEqual(['portcullis_sidecar_request_total', 'portcullis_webhook_leader']);
    expect(checkPromql('{__name__="portcullis_sidecar_requests_total"}').unnamed).toBe(1);
    expect(fromGrafana('rate(x{namespace=~"$namespace"}[$__rate_interval])')).toBe('rate(x{namespace=~".*"}[5m])');
    expect([...exportedSeries('# HELP a_seconds x\n# TYPE a_seconds histogram\n# TYPE b_total counter\n')].sort()).toEqual(['a_seconds_bucket', 'a_seconds_count', 'a_seconds_sum', 'b_total']);
  });
});
