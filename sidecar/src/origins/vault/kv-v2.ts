import { PortcullisError } from '@portcullis/shared';
import { vaultInvalidAnswer } from './vault-error.js';

/** A mount or secret path as URL path segments (each percent-encoded, the slashes kept). */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

export function kvMetadataPath(mount: string, path: string): string {
  return `${encodePath(mount)}/metadata/${encodePath(path)}`;
}

export function kvDataPath(mount: string, path: string, version: number): string {
  return `${encodePath(mount)}/data/${encodePath(path)}?version=${version}`;
}

/** What <mount>/metadata/<path> says about the current version. */
export interface KvCurrentVersion {
  readonly version: number;
  /** Soft-deleted (deletion_time set and past) or destroyed. */
  readonly deleted: boolean;
}

function isDeleted(v: { deletion_time?: unknown; destroyed?: unknown } | undefined, nowMs: number): boolean {
  if (v?.destroyed === true) return true;
  const at = typeof v?.deletion_time === 'string' && v.deletion_time !== '' ? Date.parse(v.deletion_time) : NaN;
  return Number.isFinite(at) && at <= nowMs;
}

/** Parses a KV v2 metadata answer (`data.current_version`, `data.versions[n]`). */
export function parseKvMetadata(body: unknown, what: string, nowMs: number): KvCurrentVersion {
  const data = (body as { data?: { current_version?: unknown; versions?: Record<string, { deletion_time?: unknown; destroyed?: unknown }> } } | undefined)?.data;
  const version = data?.current_version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) throw vaultInvalidAnswer(what, 'data.current_version (is the mount KV version 2?)');
  return { version, deleted: version === 0 || isDeleted(data?.versions?.[String(version)], nowMs) };
}

/** The fields of one KV v2 version (`data.data`); a deleted or destroyed version has none. */
export function parseKvData(body: unknown, what: string, nowMs: number): Readonly<Record<string, unknown>> | 'deleted' {
  const data = (body as { data?: { data?: unknown; metadata?: { deletion_time?: unknown; destroyed?: unknown } } } | undefined)?.data;
  if (isDeleted(data?.metadata, nowMs) || (data !== undefined && data.data === null)) return 'deleted';
  const fields = data?.data;
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw vaultInvalidAnswer(what, 'data.data (is the mount KV version 2?)');
  return fields as Record<string, unknown>;
}

/**
 * The string value of `field`, or VAULT_FIELD_MISSING naming the field and the fields the version has
 * (names only: values are secrets).
 */
export function stringField(fields: Readonly<Record<string, unknown>>, field: string, where: string): string {
  const value = fields[field];
  if (typeof value === 'string') return value;
  const names = Object.keys(fields).sort();
  const has = names.length === 0 ? 'no fields' : `fields ${names.map((n) => JSON.stringify(n)).join(', ')}`;
  const why = value === undefined ? 'has no field' : 'has a non-string value in field';
  throw new PortcullisError('VAULT_FIELD_MISSING', `${where} ${why} ${JSON.stringify(field)} (it has ${has}); write the field or fix the field name in the CredentialSource`);
}
