// The CRDs that the e2e global setup applies from crds/ are served under the names users type.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { ApiextensionsV1Api } from '@kubernetes/client-node';
import {
  CATEGORY,
  CREDENTIAL_SOURCE_PLURAL,
  CREDENTIAL_SOURCE_SHORT_NAME,
  EGRESS_POLICY_PLURAL,
  EGRESS_POLICY_SHORT_NAME,
  GROUP,
  VERSION,
} from '@portcullis/shared';
import { createNamespace, kubeConfig, kubectl } from '../support/cluster.js';
import { credentialSource, egressPolicy, httpSpec, policySpec } from './manifests.js';

describe.each([
  [CREDENTIAL_SOURCE_PLURAL, CREDENTIAL_SOURCE_SHORT_NAME],
  [EGRESS_POLICY_PLURAL, EGRESS_POLICY_SHORT_NAME],
])('the %s CRD', (plural, shortName) => {
  it('is established with its short name and category', async () => {
    const api = kubeConfig().makeApiClient(ApiextensionsV1Api);
    const crd = await api.readCustomResourceDefinition({ name: `${plural}.${GROUP}` });
    const conditions = Object.fromEntries((crd.status?.conditions ?? []).map((c) => [c.type, c.status]));
    expect(conditions).toMatchObject({ Established: 'True', NamesAccepted: 'True' });
    expect(crd.status?.acceptedNames).toMatchObject({ plural, shortNames: [shortName], categories: [CATEGORY] });
    const versions = crd.spec.versions.map((v) => ({
      name: v.name,
      served: v.served,
      storage: v.storage,
      statusSubresource: v.subresources?.status !== undefined,
    }));
    expect(versions).toEqual([{ name: VERSION, served: true, storage: true, statusSubresource: true }]);
  });
});

/** Splits kubectl's table output at the header's column starts (cells may be empty). */
function table(stdout: string): { columns: string[]; rows: Record<string, string>[] } {
  const [header = '', ...lines] = stdout.trimEnd().split('\n');
  const starts = [...header.matchAll(/\S+(?: \S+)*/g)].map((m) => ({ name: m[0], at: m.index }));
  const rows = lines.map((line) =>
    Object.fromEntries(
      starts.map(({ name, at }, i) => [name, line.slice(at, starts[i + 1]?.at ?? line.length).trim()]),
    ),
  );
  return { columns: starts.map((s) => s.name), rows };
}

describe('kubectl get', () => {
  let namespace = '';

  beforeAll(async () => {
    namespace = await createNamespace('crd-columns');
    const input = [credentialSource(httpSpec, 'example-api'), egressPolicy(policySpec, 'reports')]
      .map((m) => JSON.stringify(m))
      .join('\n');
    const applied = await kubectl(['apply', '-f', '-'], { input, namespace });
    expect(applied.stderr).toBe('');
  });

  it('prints type, port, preset, upstream and readiness of sources by short name', async () => {
    const result = await kubectl(['get', CREDENTIAL_SOURCE_SHORT_NAME, '-o', 'wide'], { namespace });
    const { columns, rows } = table(result.stdout);
    expect(columns).toEqual(['NAME', 'TYPE', 'PORT', 'PRESET', 'UPSTREAM', 'READY', 'REASON', 'AGE']);
    expect(rows).toEqual([
      expect.objectContaining({
        NAME: 'example-api',
        TYPE: 'http',
        PORT: '18080',
        PRESET: '',
        UPSTREAM: 'https://api.example.com/v1',
        READY: '',
      }),
    ]);
  });

  it('prints mode, service accounts and readiness of policies by short name', async () => {
    const result = await kubectl(['get', EGRESS_POLICY_SHORT_NAME], { namespace });
    const { columns, rows } = table(result.stdout);
    expect(columns).toEqual(['NAME', 'MODE', 'SERVICE ACCOUNTS', 'READY', 'AGE']);
    expect(rows).toEqual([
      expect.objectContaining({ NAME: 'reports', MODE: 'Enforce', 'SERVICE ACCOUNTS': '["reports"]' }),
    ]);
  });

  it('lists both kinds under the portcullis category', async () => {
    const result = await kubectl(['get', CATEGORY, '-o', 'name'], { namespace });
    expect(result.stdout.trim().split('\n').sort()).toEqual([
      `credentialsource.${GROUP}/example-api`,
      `egresspolicy.${GROUP}/reports`,
    ]);
  });
});
