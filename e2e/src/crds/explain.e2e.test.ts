// `kubectl explain` documents every field from the CRDs' descriptions.
import { describe, expect, it } from '@jest/globals';
import { CREDENTIAL_SOURCE_KIND, EGRESS_POLICY_KIND, GROUP, VERSION } from '@portcullis/shared';
import { kubectl } from '../support/cluster.js';

async function explain(path: string): Promise<string> {
  const result = await kubectl(['explain', path]);
  expect(result.stderr).toBe('');
  return result.stdout.replace(/\s+/g, ' ');
}

describe('kubectl explain', () => {
  it.each([
    ['credentialsource.spec.http.injection', 'How the sidecar adds the API key to each forwarded call'],
    ['credentialsource.spec.http.injection.type', 'Basic: "Authorization: Basic" with the key as password'],
    ['csrc.spec.port', 'The port names the source'],
    ['csrc.spec.aws.webIdentity.roleArn', 'ARN of the IAM role to assume'],
    ['csrc.spec.aws.services', 'The AWS services this source serves'],
    ['csrc.spec.proxyMode', 'A pod annotated portcullis.dev/proxy-mode: "false" stays in port mode'],
    ['csrc.spec.proxyHosts', 'A name listed here wins over those defaults of every source'],
    ['csrc.spec.env.value', "The webhook replaces $(PORTCULLIS_URL) with this source's local URL"],
    ['credentialsource.status.conditions', 'Ready is True when the source is usable'],
    ['egresspolicy.spec.rules.actions', "AWS action globs in IAM's service:Action form"],
    ['egresspolicy.spec.rules.resources', 'the rule matches when each resource matches one of the globs'],
    ['egp.spec.rules.paths', '"**" as a whole segment matches zero or more segments'],
    ['egp.spec.mode', 'Audit: the denial is written to the audit log'],
    ['egp.spec.workloads', 'when both are set, a pod must match both'],
  ])('%s says what the field means', async (path, phrase) => {
    expect(await explain(path)).toContain(phrase);
  });
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A property documents itself unless it only points at another schema (ObjectMeta). */
function lacksDescription(property: JsonObject): boolean {
  if ('$ref' in property || 'allOf' in property) return false;
  return typeof property.description !== 'string' || property.description.trim() === '';
}

/** Paths of schema properties (below `prefix`) whose description is missing or empty. */
function undocumented(schema: Json | undefined, prefix: string): string[] {
  if (!isObject(schema)) return [];
  const missing: string[] = [];
  const properties = isObject(schema.properties) ? schema.properties : {};
  for (const [name, child] of Object.entries(properties)) {
    if (isObject(child) && lacksDescription(child)) missing.push(`${prefix}.${name}`);
    missing.push(...undocumented(child, `${prefix}.${name}`));
  }
  missing.push(...undocumented(schema.items, `${prefix}[]`));
  missing.push(...undocumented(schema.additionalProperties, `${prefix}{}`));
  return missing;
}

describe('the published OpenAPI schema', () => {
  it.each([CREDENTIAL_SOURCE_KIND, EGRESS_POLICY_KIND])('describes every field of %s', async (kind) => {
    const result = await kubectl(['get', '--raw', `/openapi/v3/apis/${GROUP}/${VERSION}`]);
    expect(result.code).toBe(0);
    const document = JSON.parse(result.stdout) as { components: { schemas: Record<string, Json> } };
    const schema = document.components.schemas[`dev.portcullis.${VERSION}.${kind}`];
    expect(schema).toBeDefined();
    expect(undocumented(schema, kind)).toEqual([]);
  });
});
