import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';
import { checkImportGraph, purityRuleOf, type PurityRule } from './import-graph.js';

const sharedDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const repoDir = resolve(sharedDir, '..');
const rule = purityRuleOf(sharedDir);

describe('the pure core of @portcullis/shared (ADR 8)', () => {
  it('imports, from src/index.ts through every relative import, only the modules shared/pure-core.json lists', () => {
    const report = checkImportGraph(rule.coreEntry, rule);
    expect(report.violations).toEqual([]);
    // The walk really covered the core (policy, crd, aws, sources, contract, errors), not just the entry.
    expect(report.visited).toBeGreaterThan(60);
  });

  it('serves every adapter entry point of package.json exports from src/adapters, the core from src/index and the fuzz helper from src/testing', () => {
    const pkg = JSON.parse(readFileSync(join(sharedDir, 'package.json'), 'utf8')) as { exports: Record<string, { default: string }> };
    const { '.': core, './testing/fuzz': fuzzHelper, ...adapters } = pkg.exports;
    expect(core?.default).toBe('./dist/index.js');
    // Test-only (fast-check, a root devDependency): imported by *.property.test.ts files in every workspace.
    expect(fuzzHelper?.default).toBe('./dist/testing/fuzz.js');
    expect(Object.keys(adapters).sort()).toEqual(['./http', './kube', './kube/client-node', './logging', './node-streams', './pki']);
    for (const entry of Object.values(adapters)) expect(entry.default).toMatch(/^\.\/dist\/adapters\//);
  });
});

describe('checkImportGraph refuses a violation', () => {
  let dir: string;
  let fixtureRule: PurityRule;
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pure-core-'));
    fixtureRule = { ...rule, adapterFolder: join(dir, 'adapters') };
    write('index.ts', "export * from './policy/decide.js';\n");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names the chain to a core file two imports deep that reads a file with node:fs', () => {
    write('policy/decide.ts', "import { load } from './load.js';\nimport { createHash } from 'node:crypto';\nexport const decide = [load, createHash];\n");
    write('policy/load.ts', "import { readFileSync } from 'node:fs';\nexport const load = readFileSync;\n");
    expect(checkImportGraph(join(dir, 'index.ts'), fixtureRule).violations).toEqual([{ chain: ['index.ts', 'policy/decide.ts', 'policy/load.ts'], refused: 'node:fs' }]);
  });

  it('refuses a core file that reaches into the adapters, and a logger or metrics package', () => {
    write('policy/decide.ts', "export { nodeHttp } from '../adapters/http/node-http.js';\nimport { pino } from 'pino';\nexport const p = import('prom-client');\nexport const l = pino;\n");
    write('adapters/http/node-http.ts', 'export const nodeHttp = 1;\n');
    expect(checkImportGraph(join(dir, 'index.ts'), fixtureRule).violations).toEqual([
      { chain: ['index.ts', 'policy/decide.ts', 'adapters/http/node-http.ts'], refused: 'adapters/http/node-http.ts' },
      { chain: ['index.ts', 'policy/decide.ts'], refused: 'pino' },
      { chain: ['index.ts', 'policy/decide.ts'], refused: 'prom-client' },
    ]);
  });

  it('refuses a type-only import of an unlisted package too, and lets a listed package and its files in', () => {
    write('policy/decide.ts', "import type { V1ObjectMeta } from '@kubernetes/client-node';\nimport type { ErrorObject } from 'ajv';\nimport u from 'ajv/dist/runtime/ucs2length.js';\nexport type M = V1ObjectMeta | ErrorObject;\nexport const x = u;\n");
    expect(checkImportGraph(join(dir, 'index.ts'), fixtureRule).violations).toEqual([{ chain: ['index.ts', 'policy/decide.ts'], refused: '@kubernetes/client-node' }]);
  });
});

describe('eslint.config.js refuses the same violation', () => {
  const probe = [
    "import { readFileSync } from 'node:fs';",
    "import { Transform } from 'node:stream';",
    "import { nodeHttp } from '../adapters/http/node-http.js';",
    "import { createHash } from 'node:crypto';",
    'export const probe = [readFileSync, Transform, nodeHttp, createHash, process.env];',
    '',
  ].join('\n');
  const refusals = async (file: string): Promise<string[]> => {
    const [result] = await new ESLint({ cwd: repoDir }).lintText(probe, { filePath: join(repoDir, file) });
    return (result?.messages ?? [])
      .filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports' || m.ruleId === 'no-restricted-globals')
      .map((m) => `${m.line}:${m.ruleId ?? ''}`);
  };

  it('in a core file (node:fs, node:stream, an adapter, process), not in an adapter', async () => {
    expect(await refusals('shared/src/policy/glob.ts')).toEqual([
      '1:@typescript-eslint/no-restricted-imports',
      '2:@typescript-eslint/no-restricted-imports',
      '3:@typescript-eslint/no-restricted-imports',
      '5:no-restricted-globals',
    ]);
    expect(await refusals('shared/src/adapters/http/node-http.ts')).toEqual([]);
  });
});
