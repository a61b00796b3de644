// The chart's dashboard and alerts are checked, not just shipped: every PromQL expression (the dashboard's
// and the PrometheusRule's, as helm renders them) parses with Prometheus' grammar and names only series
// that a running sidecar (the shipped executable, in cluster mode as injected pods run it) and a running
// webhook export on /metrics.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createAgentWorld, startClusterSidecar, stopAndRemove, type AgentWorld, type ClusterSidecar } from '../support/cluster-sidecar.js';
import { startWorld, type World } from '../webhook/world.js';
import { render, TEST_TIMEOUT_MS } from './chart.js';
import { checkPromql, dashboardExpressions, exportedSeries, readDashboard } from './promql.js';
import { testPort } from '../support/test-ports.js';

const ALERTS = [
  'PortcullisSidecarIdentityUnverified',
  'PortcullisCredentialRefreshFailing',
  'PortcullisDenialSpike',
  'PortcullisPolicyNotSynced',
  'PortcullisPolicyRejected',
  'PortcullisWebhookErrors',
  'PortcullisWebhookCertificateExpiringSoon',
];

interface RuleGroup {
  readonly name: string;
  readonly rules: readonly { readonly alert: string; readonly expr: string }[];
}

describe('the chart\'s Grafana dashboard and PrometheusRule against a running sidecar and webhook', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-dashboard-'));
  const port = testPort();
  let agent: AgentWorld;
  let sidecar: ClusterSidecar;
  let world: World;
  let exported: Set<string>;
  let expressions: { where: string; expr: string }[];

  beforeAll(async () => {
    agent = await createAgentWorld({ prefix: 'pcdash', dir, port, key: 'dash-key', tokenSeconds: 3600, rules: [{ name: 'v1', effect: 'Allow', source: 'api', paths: ['/v1/**'] }] });
    sidecar = await startClusterSidecar({ ns: agent.ns, dir, port, readyTimeoutMs: 20_000 });
    // One allowed and one denied call, so labelled series exist too (names are read from # TYPE lines).
    expect((await fetch(`http://127.0.0.1:${port}/v1/models`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/v2/models`)).status).toBe(403);
    world = await startWorld();
    exported = new Set([...exportedSeries(await sidecar.metrics()), ...exportedSeries(await world.webhook.metrics())]);

    const rendered = await render({ monitoring: { dashboard: { enabled: true }, prometheusRule: { enabled: true } } });
    const configMap = rendered.one('ConfigMap', 'pc-portcullis-dashboard');
    expect(configMap.metadata.labels?.grafana_dashboard).toBe('1');
    const dashboard = readDashboard((configMap as unknown as { data: Record<string, string> }).data['portcullis.json']);
    const rule = rendered.one('PrometheusRule') as unknown as { spec: { groups: RuleGroup[] } };
    expressions = [
      ...dashboardExpressions(dashboard),
      ...rule.spec.groups.flatMap((g) => g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr }))),
    ];
    expect(rule.spec.groups.flatMap((g) => g.rules.map((r) => r.alert))).toEqual(ALERTS);
  }, 120_000);

  afterAll(async () => {
    await world?.cleanup();
    await stopAndRemove(sidecar, agent?.upstream, dir);
  });

  it('reads the metrics of both processes', () => {
    expect(exported.has('portcullis_sidecar_requests_total')).toBe(true);
    expect(exported.has('portcullis_webhook_admissions_total')).toBe(true);
    expect(expressions.length).toBeGreaterThan(20);
  }, TEST_TIMEOUT_MS);

  it('every expression parses and every metric it names is exported by the sidecar or the webhook', () => {
    const problems: string[] = [];
    for (const { where, expr } of expressions) {
      const check = checkPromql(expr);
      if (check.errors.length > 0) problems.push(`${where}: syntax error at ${check.errors.join(', ')} in ${expr}`);
      if (check.unnamed > 0) problems.push(`${where}: a selector without a metric name in ${expr}`);
      for (const m of check.metrics) if (!exported.has(m)) problems.push(`${where}: ${m} is not exported`);
    }
    expect(problems).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('would catch a metric the processes do not export', () => {
    expect(exported.has('portcullis_sidecar_request_total')).toBe(false);
    expect(exported.has('portcullis_webhook_admission_duration_seconds')).toBe(false);
    expect(exported.has('portcullis_webhook_admission_duration_seconds_bucket')).toBe(true);
  }, TEST_TIMEOUT_MS);
});
