import type { Environment } from '@marcbachmann/cel-js';
import { PortcullisError } from '../../errors/portcullis-error.js';
import type { StructuralSchema, ValidationRule } from '../schema-types.js';
import { kubernetesCelEnvironment } from './cel-environment.js';

type Program = (activation: Record<string, unknown>) => unknown;

export interface CompiledRule {
  readonly rule: ValidationRule;
  readonly check: Program;
  readonly message: Program | undefined;
  /** Refers to oldSelf: a transition rule, which the API server evaluates on updates only. */
  readonly transition: boolean;
}

/** The compiled rules of every schema node that has any, keyed by the node. */
export type RuleTable = ReadonlyMap<StructuralSchema, readonly CompiledRule[]>;

function compile(env: Environment, expression: string, where: string): Program {
  const checked = env.check(expression);
  if (!checked.valid) {
    throw new PortcullisError('CRD_SCHEMA_UNSUPPORTED', `${where}: the CEL rule ${JSON.stringify(expression)} cannot be evaluated here: ${checked.error?.message.split('\n')[0] ?? 'type check failed'}`);
  }
  return env.parse(expression) as Program;
}

function visit(env: Environment, node: StructuralSchema, path: string, table: Map<StructuralSchema, CompiledRule[]>): void {
  const rules = node['x-kubernetes-validations'] ?? [];
  if (rules.length > 0) {
    table.set(
      node,
      rules.map((rule) => ({
        rule,
        check: compile(env, rule.rule, path || '<root>'),
        message: rule.messageExpression === undefined ? undefined : compile(env, rule.messageExpression, path || '<root>'),
        transition: /\boldSelf\b/.test(rule.rule),
      })),
    );
  }
  for (const [key, child] of Object.entries(node.properties ?? {})) visit(env, child, path === '' ? key : `${path}.${key}`, table);
  if (typeof node.additionalProperties === 'object') visit(env, node.additionalProperties, `${path}{}`, table);
  if (node.items) visit(env, node.items, `${path}[]`, table);
}

/** Compiles every x-kubernetes-validations rule of a schema once; throws when one cannot be evaluated. */
export function compileRules(schema: StructuralSchema): RuleTable {
  const table = new Map<StructuralSchema, CompiledRule[]>();
  visit(kubernetesCelEnvironment(), schema, '', table);
  return table;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

function messageOf(rule: CompiledRule, activation: Record<string, unknown>): string {
  if (rule.message) {
    try {
      const text = rule.message(activation);
      if (typeof text === 'string' && text.trim() !== '' && !text.includes('\n')) return text;
    } catch {
      // The API server then falls back to the static message, as here.
    }
  }
  return rule.rule.message ?? `failed rule: ${rule.rule.rule}`;
}

/** The API server's wording of a failed rule, at its field path (plus the rule's fieldPath). */
function failure(rule: CompiledRule, path: string, type: string, message: string): string {
  const field = `${path}${rule.rule.fieldPath ?? ''}`;
  switch (rule.rule.reason) {
    case 'FieldValueRequired':
      return `${field}: Required value: ${message}`;
    case 'FieldValueForbidden':
      return `${field}: Forbidden: ${message}`;
    case 'FieldValueDuplicate':
      return `${field}: Duplicate value: ${message}`;
    default:
      return `${field}: Invalid value: ${JSON.stringify(type)}: ${message}`;
  }
}

/**
 * Evaluates the rules of one node against `self` (already converted to CEL values), as the API server
 * does on create: transition rules (those using oldSelf) apply to updates only, and every object the
 * sidecar loads is checked as a new one. A rule that does not return true — including one whose
 * evaluation fails — is a failure: an object is never accepted because a rule could not be checked.
 */
export function ruleFailures(rules: readonly CompiledRule[], self: unknown, path: string, type: string): string[] {
  const out: string[] = [];
  const activation = { self };
  for (const rule of rules) {
    if (rule.transition) continue;
    let result: unknown;
    try {
      result = rule.check(activation);
    } catch (err) {
      out.push(failure(rule, path, type, `the rule could not be evaluated (${firstLine(err)}); ${rule.rule.message ?? `failed rule: ${rule.rule.rule}`}`));
      continue;
    }
    if (result !== true) out.push(failure(rule, path, type, messageOf(rule, activation)));
  }
  return out;
}
