// The Helm chart under test: where it lives, and rendering it with the built helm into objects.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { helm, type CommandResult } from '../support/cluster.js';
import { chartDir } from './paths.js';

export { chartDir };
export const KUBE_VERSION = '1.34';
/** Per test and hook: jest ignores testTimeout inside a project, so the default would be 5 s. */
export const TEST_TIMEOUT_MS = 30_000;

export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly [field: string]: unknown;
}

/** Every non-empty YAML document of a multi-document stream. */
export function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null && typeof o === 'object');
}

/** Writes values to a temporary file for `helm -f` and returns its path and a cleanup. */
export function valuesFile(values: object): { path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-chart-'));
  const path = join(dir, 'values.yaml');
  writeFileSync(path, stringify(values));
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `helm <args> -f <values>` with the values written to a temporary file. */
export async function helmWithValues(args: readonly string[], values: object): Promise<CommandResult> {
  const file = valuesFile(values);
  try {
    return await helm([...args, '-f', file.path]);
  } finally {
    file.remove();
  }
}

export interface Rendered {
  readonly result: CommandResult;
  readonly objects: K8sObject[];
  /** The one object of this kind (and name, when given); throws when there is not exactly one. */
  one(kind: string, name?: string): K8sObject;
  all(kind: string): K8sObject[];
}

/** `helm template` for Kubernetes 1.34 with the given values. */
export async function render(values: object = {}, opts: { release?: string; namespace?: string; includeCrds?: boolean } = {}): Promise<Rendered> {
  const args = ['template', opts.release ?? 'pc', chartDir, '--namespace', opts.namespace ?? 'portcullis', '--kube-version', KUBE_VERSION];
  const result = await helmWithValues(opts.includeCrds ? [...args, '--include-crds'] : args, values);
  const objects = result.code === 0 ? parseObjects(result.stdout) : [];
  const all = (kind: string): K8sObject[] => objects.filter((o) => o.kind === kind);
  return {
    result,
    objects,
    all,
    one(kind, name) {
      const found = all(kind).filter((o) => name === undefined || o.metadata.name === name);
      if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` named ${name}` : ''}, rendered ${found.length}: ${result.stderr}`);
      return found[0] as K8sObject;
    },
  };
}

/** Flags of the webhook container, as a map from flag name to value (`--a=b` → a: b). */
export function webhookFlags(deployment: K8sObject): Map<string, string> {
  const spec = deployment.spec as { template: { spec: { containers: { name: string; args?: string[] }[] } } };
  const container = spec.template.spec.containers.find((c) => c.name === 'webhook');
  const flags = new Map<string, string>();
  for (const arg of container?.args ?? []) {
    const m = /^--([a-z0-9-]+)=(.*)$/.exec(arg);
    if (!m) throw new Error(`webhook arg ${arg} is not --flag=value`);
    flags.set(m[1] as string, m[2] as string);
  }
  return flags;
}
