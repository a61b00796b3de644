// `helm template --kube-version 1.34` output is accepted by the real API server (server-side dry run:
// admission, schema and RBAC escalation checks run, nothing is stored).
import { beforeAll, describe, expect, it } from '@jest/globals';
import { createNamespace, kubectl } from '../support/cluster.js';
import { TEST_TIMEOUT_MS, render } from './chart.js';

describe('helm template | kubectl apply --dry-run=server', () => {
  let namespace = '';

  beforeAll(async () => {
    namespace = await createNamespace('chart-dry-run');
  }, TEST_TIMEOUT_MS);

  async function dryRun(values: object): Promise<{ code: number; stdout: string; stderr: string }> {
    const rendered = await render(values, { release: 'dry', namespace, includeCrds: true });
    expect(rendered.result.stderr).toBe('');
    expect(rendered.result.code).toBe(0);
    return kubectl(['apply', '--server-side', '--dry-run=server', '--field-manager=portcullis-chart-e2e', '-f', '-'], { input: rendered.result.stdout });
  }

  it('accepts every object of the default values, CRDs included', async () => {
    const result = await dryRun({ sidecar: { rbac: { namespaces: [namespace], serviceAccounts: [{ namespace, name: 'agent' }] } } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const applied = result.stdout.trim().split('\n');
    for (const kind of ['customresourcedefinition', 'deployment', 'service', 'poddisruptionbudget', 'mutatingwebhookconfiguration', 'clusterrole', 'clusterrolebinding', 'role', 'rolebinding', 'serviceaccount']) {
      expect({ kind, applied: applied.some((line) => line.startsWith(`${kind}.`) || line.startsWith(`${kind}/`)) }).toEqual({ kind, applied: true });
    }
  }, TEST_TIMEOUT_MS);

  it('accepts tls.mode=secret with a CA bundle, hard anti-affinity and checkSecrets', async () => {
    const caBundle = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
    const result = await dryRun({
      tls: { mode: 'secret', secret: { name: 'webhook-cert', caBundle } },
      webhook: { podAntiAffinity: 'hard', statusController: { enabled: true, checkSecrets: true }, failurePolicy: 'Ignore', timeoutSeconds: 30 },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  }, TEST_TIMEOUT_MS);
});
