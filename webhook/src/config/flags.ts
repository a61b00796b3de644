import { PortcullisError } from '@portcullis/shared';

export type Values = Readonly<Record<string, string | undefined>>;

export const invalid = (option: string, value: string, want: string): PortcullisError =>
  new PortcullisError('CONFIG_INVALID', `--${option} ${JSON.stringify(value)} is invalid: ${want}`);

export function required(v: Values, option: string, fallback?: string): string {
  const value = v[option] ?? fallback;
  if (value === undefined || value === '') throw invalid(option, value ?? '', 'it is required');
  return value;
}

export function integer(v: Values, option: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = v[option];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw invalid(option, raw, `expected a whole number from ${min} to ${max}`);
  return n;
}

export function boolean(v: Values, option: string, fallback: boolean): boolean {
  const raw = v[option];
  if (raw === undefined) return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw invalid(option, raw, 'expected true or false');
}

export function oneOf<T extends string>(v: Values, option: string, fallback: T, allowed: readonly T[]): T {
  const raw = v[option];
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw invalid(option, raw, `expected one of ${allowed.join(', ')}`);
  return raw as T;
}

export function list(raw: string | undefined): string[] {
  return (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}
