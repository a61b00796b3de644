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

/** The packages (bare specifiers) that the modules loaded at start import with a value import. */
function packagesLoadedAtStart(entry: string): Set<string> {
  const out = new Set<string>();
  for (const file of loadedAtStart(entry)) {
    for (const m of readFileSync(join(SRC, file), 'utf8').matchAll(STATIC_PACKAGE_IMPORT)) out.add(m[1] ?? '');
  }
  return out;
}
const STATIC_PACKAGE_IMPORT = /^(?:import|export)\s+(?!type\b)[^;]*?\bfrom\s*'([^.'][^']*)'/gm;

/** Loaded with import() when the first source of its kind is opened: each costs a pod without one nothing (ADR 38). */
const LAZY_MODULES = [
  'origins/vault/open.ts',
  'origins/azure-workload-identity/open.ts',
  'origins/gcp-workload-identity/open.ts',
  'origins/github-app/open.ts',
  'origins/oauth2/open.ts',
  'origins/aws-web-identity/open.ts',
  'origins/aws-static-keys/open.ts',
  'sources/aws-source.ts',
];

describe('what the executable loads at start (ADR 38)', () => {
  it.each(LAZY_MODULES)('loads %s only when a source needs it, and still ships it', (file) => {
    expect(loadedAtStart('main.ts')).toContain('store/state.ts'); // the walk reaches the store at all
    expect(loadedAtStart('main.ts').has(file)).toBe(false);
    expect(reachableFrom('main.ts').has(file)).toBe(true);
  });

  it('imports no provider library at start: oauth4webapi, @azure/identity, google-auth-library, all of jose', () => {
    const packages = packagesLoadedAtStart('main.ts');
    expect(packages).toContain('pino'); // the scan sees package imports at all
    expect(packages).toContain('jose/jwt/decode'); // the one small part of jose the identity check uses
    for (const lib of ['oauth4webapi', '@azure/identity', '@azure/core-rest-pipeline', 'google-auth-library', 'jose', 'jose/jwt/sign', '@aws-sdk/client-sts', 'ioredis', 'yaml']) {
      expect([lib, packages.has(lib)]).toEqual([lib, false]);
    }
  });

  it('carries no ajv compiler in the shared core it loads (the CRD validators are precompiled): only ajv runtime helpers', () => {
    const shared = join(SRC, '../../shared/src');
    const packages = new Set<string>();
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(STATIC_IMPORT)) visit(join(dirname(file), `${m[1] ?? ''}.ts`));
      for (const m of text.matchAll(STATIC_PACKAGE_IMPORT)) packages.add(m[1] ?? '');
    };
    visit(join(shared, 'index.ts'));
    expect(seen.has(join(shared, 'crd/validate/validate-resource.ts'))).toBe(true);
    expect(packages).toContain('ajv/dist/runtime/ucs2length.js');
    expect(packages.has('ajv')).toBe(false);
  });

  it('is compiled with --splitting, so code behind import() is parsed only when it is imported', () => {
    // Without it, bun bundles every import() target into the one program, and all of it is parsed (and
    // paid for in memory: +4 MiB for @azure/identity never called) at start.
    for (const file of ['Makefile', 'sidecar/Dockerfile']) {
      const text = readFileSync(join(SRC, '../..', file), 'utf8');
      expect([file, /bun build sidecar\/dist\/main\.js [^\n]*--splitting /.test(text)]).toEqual([file, true]);
    }
  });

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
