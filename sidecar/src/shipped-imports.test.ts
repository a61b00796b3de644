import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const SRC = dirname(fileURLToPath(import.meta.url));
// Static and dynamic imports of the sidecar's own modules (relative paths); packages are not followed.
const RELATIVE_IMPORT = /(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)\.js'/g;

/** Every sidecar module main.ts reaches through relative imports: what `bun build sidecar/dist/main.js` bundles of ours. */
function reachableFrom(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT)) visit(join(dirname(file), `${m[1] ?? ''}.ts`));
  };
  visit(join(SRC, entry));
  return new Set([...seen].map((f) => relative(SRC, f)));
}

describe('what the shipped executable bundles', () => {
  it('holds no test support: nothing main.ts imports reaches test-support/, testing.ts or a test', () => {
    const shipped = [...reachableFrom('main.ts')];
    expect(shipped).toContain('proxy/forward.ts'); // the walk follows imports at all
    expect(shipped.filter((f) => f.startsWith('test-support/') || f === 'testing.ts' || f.endsWith('.test.ts'))).toEqual([]);
  });

  it('does not ship the library entry point, which e2e suites and the demo import', () => {
    expect(reachableFrom('main.ts').has('index.ts')).toBe(false);
  });
});

// Value imports that run when the importing module loads: `import … from` and `export … from`, not
// `import type` and not `import()` (which loads when the code reaches it).
const STATIC_IMPORT = /^(?:import|export)\s+(?!type\b)[^;]*?\bfrom\s*'(\.{1,2}\/[^']+)\.js'/gm;

function loadedAtStart(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) visit(join(dirname(file), `${m[1] ?? ''}.ts`));
  };
  visit(join(SRC, entry));
  return new Set([...seen].map((f) => relative(SRC, f)));
}

describe('what the executable loads at start (ADR 38)', () => {
  it('loads the Redis client only when --redis-address is set: main.ts imports it with import()', () => {
    const atStart = loadedAtStart('main.ts');
    expect(atStart).toContain('proxy/forward.ts'); // the walk follows static imports at all
    expect(atStart.has('limits/redis/redis-store.ts')).toBe(false);
    // …and it is still shipped: the dynamic import is bundled into the executable.
    expect(reachableFrom('main.ts').has('limits/redis/redis-store.ts')).toBe(true);
  });

  it('loads the file store and its YAML parser only in standalone mode, when it starts', () => {
    const atStart = loadedAtStart('main.ts');
    expect(atStart.has('store/file-store.ts')).toBe(false);
    expect(atStart.has('store/parse-resources.ts')).toBe(false); // the one module that imports 'yaml'
    expect(readFileSync(join(SRC, 'store/parse-resources.ts'), 'utf8')).toMatch(/from 'yaml'/);
    expect(reachableFrom('main.ts').has('store/file-store.ts')).toBe(true);
  });

  it('loads google-auth-library and undici only on a GCP source\'s first mint (ADR 39): no module loaded at start imports them', () => {
    const packageImport = (pkg: string): RegExp => new RegExp(`^(?:import|export)\\s+(?!type\\b)[^;]*?\\bfrom\\s*'${pkg}[/']`, 'm');
    const atStart = [...loadedAtStart('main.ts')];
    for (const pkg of ['google-auth-library', 'undici']) {
      expect(atStart.filter((f) => packageImport(pkg).test(readFileSync(join(SRC, f), 'utf8')))).toEqual([]);
    }
    // …and the origin is shipped, its libraries behind import().
    expect(reachableFrom('main.ts').has('origins/gcp-workload-identity/google-token.ts')).toBe(true);
    expect(readFileSync(join(SRC, 'origins/gcp-workload-identity/google-token.ts'), 'utf8')).toMatch(/import\('google-auth-library'\)/);
  });
});
