/**
 * The pure-core rule of ADR 8 as a walk over the import graph: from the core's entry (src/index.ts) through
 * every relative import, each module a file imports must be listed in shared/pure-core.json, and no file
 * reached may lie in src/adapters. eslint checks each core file alone; this walk also catches a core file
 * that reaches I/O through a file eslint does not look at. Test-only (node:fs, typescript).
 */
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

export interface PurityRule {
  /** Node builtins and packages the core may import (a package's own files too: 'ajv/dist/…'). */
  readonly allowedModules: readonly string[];
  /** Absolute path of the adapters folder: no core file may be reached inside it. */
  readonly adapterFolder: string;
}

export interface Violation {
  /** The files from the entry to the offending one, relative to the entry's folder. */
  readonly chain: readonly string[];
  /** The refused module, or the adapter file that was reached. */
  readonly refused: string;
}

export interface ImportGraphReport {
  readonly visited: number;
  readonly violations: readonly Violation[];
}

/** The rule shared/pure-core.json states, for the package at `packageDir`. */
export function purityRuleOf(packageDir: string): PurityRule & { readonly coreEntry: string } {
  const json = JSON.parse(readFileSync(resolve(packageDir, 'pure-core.json'), 'utf8')) as {
    coreEntry: string;
    adapterFolder: string;
    nodeBuiltins: Record<string, string>;
    packages: Record<string, string>;
  };
  return {
    coreEntry: resolve(packageDir, json.coreEntry),
    adapterFolder: resolve(packageDir, json.adapterFolder),
    allowedModules: [...Object.keys(json.nodeBuiltins), ...Object.keys(json.packages)],
  };
}

/** Static imports and re-exports of a TypeScript file, and dynamic import() with a literal. */
export function importsOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const refs: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      refs.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      refs.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg !== undefined && ts.isStringLiteralLike(arg)) refs.push(arg.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return refs;
}

/** A listed module or a file of a listed package. Type-only imports count too: a core type must not need a package the core does not list. */
function isAllowed(specifier: string, rule: PurityRule): boolean {
  return rule.allowedModules.some((m) => specifier === m || specifier.startsWith(`${m}/`));
}

/** Walks the graph from `entry` and lists every import the rule refuses, with the chain that reaches it. */
export function checkImportGraph(entry: string, rule: PurityRule): ImportGraphReport {
  const root = dirname(entry);
  const name = (file: string): string => relative(root, file).split(sep).join('/');
  const seen = new Set<string>();
  const violations: Violation[] = [];
  const walk = (file: string, chain: readonly string[]): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const here = [...chain, name(file)];
    if (file === rule.adapterFolder || file.startsWith(rule.adapterFolder + sep)) {
      violations.push({ chain: here, refused: name(file) });
      return;
    }
    for (const specifier of importsOf(file)) {
      if (specifier.startsWith('./') || specifier.startsWith('../')) {
        walk(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')), here);
      } else if (!isAllowed(specifier, rule)) {
        violations.push({ chain: here, refused: specifier });
      }
    }
  };
  walk(entry, []);
  return { visited: seen.size, violations };
}
