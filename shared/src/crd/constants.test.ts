import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import * as c from './constants.js';

async function crd(file: string): Promise<unknown> {
  return parse(await readFile(fileURLToPath(new URL(`../../../crds/${file}`, import.meta.url)), 'utf8'));
}

function coordinates(kind: string, plural: string, shortName: string): object {
  return {
    metadata: { name: `${plural}.${c.GROUP}` },
    spec: {
      group: c.GROUP,
      scope: 'Namespaced',
      names: { kind, plural, shortNames: [shortName], categories: [c.CATEGORY] },
      versions: [{ name: c.VERSION, served: true, storage: true }],
    },
  };
}

describe('CRD constants', () => {
  it('match the CredentialSource CRD', async () => {
    expect(await crd(`${c.GROUP}_${c.CREDENTIAL_SOURCE_PLURAL}.yaml`)).toMatchObject(
      coordinates(c.CREDENTIAL_SOURCE_KIND, c.CREDENTIAL_SOURCE_PLURAL, c.CREDENTIAL_SOURCE_SHORT_NAME),
    );
  });

  it('match the EgressPolicy CRD', async () => {
    expect(await crd(`${c.GROUP}_${c.EGRESS_POLICY_PLURAL}.yaml`)).toMatchObject(
      coordinates(c.EGRESS_POLICY_KIND, c.EGRESS_POLICY_PLURAL, c.EGRESS_POLICY_SHORT_NAME),
    );
  });

  it('builds the apiVersion from group and version', () => {
    expect(c.API_VERSION).toBe('portcullis.dev/v1alpha1');
  });
});
