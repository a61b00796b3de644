// `make kind-e2e` needs Docker, which this machine lacks; the objects it applies are checked here against
// the real API server (CRD schemas and CEL rules), so the kind path cannot rot unnoticed.
import { describe, expect, it } from '@jest/globals';
import { createNamespace, kubectl } from '../support/cluster.js';
import { createServiceAccount } from '../support/workloads.js';
import { TEST_TIMEOUT_MS } from './chart.js';
import { smokeManifests, smokePod } from './kind-smoke-manifests.js';

describe('the kind smoke test objects', () => {
  it('are accepted by the API server', async () => {
    const namespace = await createNamespace('chart-kind-smoke');
    const target = { namespace, image: 'ghcr.io/portcullis/sidecar:dev', upstream: 'http://portcullis-webhook.portcullis-system.svc:9090' };
    const items = [...smokeManifests(target), smokePod(target)];
    // A dry run stores nothing, and pod admission looks the service account up: create that one for real.
    await createServiceAccount(namespace, 'smoke');
    const result = await kubectl(['apply', '--server-side', '--dry-run=server', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(items.length);
  }, TEST_TIMEOUT_MS);
});
