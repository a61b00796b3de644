// Reads the example manifests in examples/ for the tests that check them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const examplesDir = fileURLToPath(new URL('../../../examples/', import.meta.url));

export interface ExampleObject {
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec?: Record<string, unknown>;
  readonly stringData?: Record<string, string>;
  readonly data?: Record<string, string>;
}

export interface ExampleFile {
  readonly file: string;
  readonly text: string;
  readonly objects: readonly ExampleObject[];
}

function isExampleObject(value: unknown): value is ExampleObject {
  if (typeof value !== 'object' || value === null) return false;
  const { kind, metadata } = value as { kind?: unknown; metadata?: unknown };
  return typeof kind === 'string' && typeof metadata === 'object' && metadata !== null && 'name' in metadata;
}

export function readExamples(): ExampleFile[] {
  return readdirSync(examplesDir)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(examplesDir, file), 'utf8');
      const objects = parseAllDocuments(text).map((doc) => {
        if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message ?? 'invalid YAML'}`);
        const value: unknown = doc.toJS();
        if (!isExampleObject(value)) throw new Error(`${file}: a document without kind and metadata.name`);
        return value;
      });
      return { file, text, objects };
    });
}
