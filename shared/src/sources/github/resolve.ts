import type { GithubAppOrigin } from '../../crd/index.js';

export type GithubPermissionLevel = 'read' | 'write' | 'admin';

/** spec.http.githubApp: an installation access token minted with the App's private key. */
export interface ResolvedGithubApp {
  readonly kind: 'githubApp';
  readonly appId: string;
  readonly installationId: number;
  /** The Secret (mounted into the sidecar at <secretsDir>/<source>/<key>) holding the App's PEM private key. */
  readonly privateKey: { readonly secretName: string; readonly key: string };
  /** Repository names the token is narrowed to; undefined: all of the installation's. */
  readonly repositories: readonly string[] | undefined;
  /** Permissions the token is narrowed to; undefined: all of the installation's. */
  readonly permissions: Readonly<Record<string, GithubPermissionLevel>> | undefined;
}

const APP_ID = /^([0-9]+|Iv[0-9A-Za-z._-]+)$/;
const REPOSITORY = /^[A-Za-z0-9._-]{1,100}$/;
const PERMISSION = /^[a-z][a-z_]*$/;
const LEVELS: ReadonlySet<string> = new Set(['read', 'write', 'admin']);
const FIELD = 'spec.http.githubApp';

function checkPermissions(permissions: Record<string, string>): string | undefined {
  for (const [name, level] of Object.entries(permissions)) {
    if (!PERMISSION.test(name)) return `${FIELD}.permissions name ${JSON.stringify(name)} is not a GitHub permission name (lower case and _)`;
    if (!LEVELS.has(level)) return `${FIELD}.permissions.${name} must be read, write or admin (got ${JSON.stringify(level)})`;
  }
  return undefined;
}

/** Resolves spec.http.githubApp; a string is what is wrong with it. */
export function resolveGithubApp(spec: GithubAppOrigin): ResolvedGithubApp | string {
  if (!APP_ID.test(spec.appId)) return `${FIELD}.appId ${JSON.stringify(spec.appId)} is not an App ID (digits) or client ID (Iv…)`;
  if (!Number.isSafeInteger(spec.installationId) || spec.installationId < 1) return `${FIELD}.installationId must be a positive integer`;
  const bad = (spec.repositories ?? []).find((r) => !REPOSITORY.test(r) || r === '.' || r === '..');
  if (bad !== undefined) return `${FIELD}.repositories entry ${JSON.stringify(bad)} is not a repository name (without the owner)`;
  const permissionProblem = checkPermissions(spec.permissions ?? {});
  if (permissionProblem !== undefined) return permissionProblem;
  return {
    kind: 'githubApp',
    appId: spec.appId,
    installationId: spec.installationId,
    privateKey: { secretName: spec.privateKeySecretRef.name, key: spec.privateKeySecretRef.key },
    repositories: spec.repositories && spec.repositories.length > 0 ? [...new Set(spec.repositories)] : undefined,
    permissions: spec.permissions && Object.keys(spec.permissions).length > 0 ? { ...spec.permissions } : undefined,
  };
}
