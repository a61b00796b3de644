// Issue 12: every e2e and process-level test of the sidecar runs the executable the image ships (Bun,
// ADR 6) through sidecar-process.ts or cluster-sidecar.ts, never the sidecar built in-process on Node
// with buildSidecar. This guard keeps it so; a justified exception goes into ALLOWED with its reason.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const SCANNED = ['e2e/src', 'bench/src'];
/** This file: its examples below are strings, not imports. */
const SELF = fileURLToPath(import.meta.url);

/** Files (relative to the repository) allowed to build the sidecar in-process, each with why. */
const ALLOWED: Readonly<Record<string, string>> = {};

function sources(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : sources(path);
    return /\.(ts|mts|js|mjs)$/.test(e.name) ? [path] : [];
  });
}

/** Imports buildSidecar from the sidecar package (named, renamed, namespace or dynamic import). */
function buildsSidecarInProcess(text: string): boolean {
  const named = /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*['"]@portcullis\/sidecar['"]/g;
  for (const m of text.matchAll(named)) {
    if (/(^|[\s,])buildSidecar\b/.test(m[1] ?? '') && !/(^|[\s,])type\s+buildSidecar\b/.test(m[1] ?? '')) return true;
  }
  const whole = /import\s*\*\s*as\s+(\w+)\s+from\s*['"]@portcullis\/sidecar['"]|import\(\s*['"]@portcullis\/sidecar['"]\s*\)/;
  return whole.test(text) && /\bbuildSidecar\b/.test(text);
}

describe('e2e tests run the shipped sidecar executable', () => {
  it('finds buildSidecar imports in the forms a test could write', () => {
    expect(buildsSidecarInProcess("import { buildSidecar, parseOptions } from '@portcullis/sidecar';")).toBe(true);
    expect(buildsSidecarInProcess("import {\n  createLogger,\n  buildSidecar as build,\n} from '@portcullis/sidecar';")).toBe(true);
    expect(buildsSidecarInProcess("import * as sc from '@portcullis/sidecar';\nsc.buildSidecar(o, d);")).toBe(true);
    expect(buildsSidecarInProcess("const { buildSidecar } = await import('@portcullis/sidecar');")).toBe(true);
    expect(buildsSidecarInProcess("import { createLogger, type AuditRecord } from '@portcullis/sidecar';")).toBe(false);
    expect(buildsSidecarInProcess("import { json } from '@portcullis/sidecar/testing';")).toBe(false);
  });

  it('has no e2e or bench file that builds the sidecar in-process on Node', () => {
    const offenders = SCANNED.flatMap((d) => sources(join(ROOT, d)))
      .filter((f) => f !== SELF)
      .filter((f) => buildsSidecarInProcess(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f))
      .filter((f) => !(f in ALLOWED));
    expect(offenders).toEqual([]);
  });

  it('keeps the allow-list to files that exist and still need it', () => {
    for (const file of Object.keys(ALLOWED)) expect(buildsSidecarInProcess(readFileSync(join(ROOT, file), 'utf8'))).toBe(true);
  });
});
