import { describe, expect, it } from '@jest/globals';
import { stringify } from 'yaml';
import { generateCrdTypes, readCrd } from './generate-types.js';

const condition = {
  type: 'object',
  description: 'One condition.',
  required: ['type', 'status'],
  properties: {
    type: { type: 'string', description: 'Condition type.' },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'], description: 'Condition status.' },
  },
};

function crd(kind: string, spec: object, conditionItems: object = condition): string {
  return stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    spec: {
      group: 'example.dev',
      names: { kind, plural: `${kind.toLowerCase()}s` },
      versions: [
        { name: 'v1beta1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object' } } },
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: `A ${kind}.`,
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec,
                status: {
                  type: 'object',
                  properties: { conditions: { type: 'array', maxItems: 4, items: conditionItems } },
                },
              },
            },
          },
        },
      ],
    },
  });
}

const widgetSpec = {
  type: 'object',
  description: 'What the widget should be.',
  required: ['size'],
  'x-kubernetes-validations': [{ rule: 'self.size > 0', message: 'size must be positive' }],
  properties: {
    size: { type: 'integer', format: 'int32', description: 'Size in millimetres.' },
    color: { type: 'string', enum: ['red', 'blue'], maxLength: 8 },
    tags: { type: 'array', maxItems: 2, items: { type: 'string' } },
  },
};
const widgetNames = {
  '': 'Widget',
  spec: 'WidgetSpec',
  status: 'WidgetStatus',
  'status.conditions[]': 'Condition',
  'status.conditions[].status': 'ConditionStatus',
};
const gadgetSpec = { type: 'object', properties: { on: { type: 'boolean' } } };
const gadgetNames = { ...widgetNames, '': 'Gadget', spec: 'GadgetSpec', status: 'GadgetStatus' };
const names = { Widget: widgetNames, Gadget: gadgetNames };

describe('generateCrdTypes', () => {
  it('declares the kind with a literal apiVersion and kind, ObjectMeta, required fields and JSDoc', async () => {
    const ts = await generateCrdTypes([crd('Widget', widgetSpec)], { Widget: widgetNames });
    expect(ts).toMatch(/^\/\/ Code generated .* DO NOT EDIT\./);
    expect(ts).toContain("import type { ObjectMeta } from './object-meta.js';");
    expect(ts).toContain("apiVersion: 'example.dev/v1';");
    expect(ts).toContain("kind: 'Widget';");
    expect(ts).toContain('metadata: ObjectMeta;');
    expect(ts).toContain('spec: WidgetSpec;');
    expect(ts).toContain('status?: WidgetStatus;');
    expect(ts).toMatch(/\* Size in millimetres\.\s+\*\/\s+size: number;/);
    expect(ts).toContain("color?: 'red' | 'blue';");
    expect(ts).toContain('tags?: string[];');
    expect(ts).not.toContain('[k: string]: unknown');
  });

  it('refuses an object with properties that has no type name, naming its path', async () => {
    const unnamedSpec = Object.fromEntries(Object.entries(widgetNames).filter(([path]) => path !== 'spec'));
    await expect(generateCrdTypes([crd('Widget', widgetSpec)], { Widget: unnamedSpec })).rejects.toThrow(
      'spec: an object with properties needs a type name in TYPE_NAMES',
    );
  });

  it('refuses type names for paths the CRD does not have', async () => {
    const stale = { ...widgetNames, 'spec.gone': 'Gone' };
    await expect(generateCrdTypes([crd('Widget', widgetSpec)], { Widget: stale })).rejects.toThrow(
      'TYPE_NAMES lists paths the CRD does not have: spec.gone',
    );
  });

  it('declares a type shared by two kinds once', async () => {
    const ts = await generateCrdTypes([crd('Widget', widgetSpec), crd('Gadget', gadgetSpec)], names);
    expect(ts.match(/export interface Condition \{/g)).toHaveLength(1);
    expect(ts.match(/export type ConditionStatus =/g)).toHaveLength(1);
    expect(ts.match(/conditions\?: Condition\[\];/g)).toHaveLength(2);
  });

  it('refuses a shared type whose schemas differ between kinds', async () => {
    const drifted = { ...condition, description: 'A different condition.' };
    await expect(
      generateCrdTypes([crd('Widget', widgetSpec), crd('Gadget', gadgetSpec, drifted)], names),
    ).rejects.toThrow('Widget: the schema of Condition differs from an earlier CRD');
  });

  it('does not depend on the order of its inputs', async () => {
    const a = await generateCrdTypes([crd('Widget', widgetSpec), crd('Gadget', gadgetSpec)], names);
    const b = await generateCrdTypes([crd('Gadget', gadgetSpec), crd('Widget', widgetSpec)], names);
    expect(a).toBe(b);
  });
});

describe('readCrd', () => {
  it('takes the storage version', () => {
    expect(readCrd(crd('Widget', widgetSpec))).toMatchObject({ kind: 'Widget', apiVersion: 'example.dev/v1' });
  });

  it('refuses a document that is not a CRD', () => {
    expect(() => readCrd('kind: ConfigMap\n')).toThrow('not a CustomResourceDefinition');
  });
});
