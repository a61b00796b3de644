import { resolve } from 'node:path';
import { PortcullisError } from '../../../errors/index.js';
import type { KubeAccess } from './client.js';

/** What the caller reads for us: files named in the kubeconfig (relative to its directory) and tokens. */
export interface KubeconfigFiles {
  readonly baseDir: string;
  readText(path: string): string;
  readTextAsync(path: string): Promise<string>;
}

type Dict = Record<string, unknown>;

const SUPPORTED_USER_FIELDS = new Set([
  'client-certificate',
  'client-certificate-data',
  'client-key',
  'client-key-data',
  'token',
  'tokenFile',
]);

/**
 * The current context of a parsed kubeconfig as KubeAccess. Supports what development and CI use — client
 * certificates and static or file tokens, inline or as files; anything else (exec plugins, auth
 * providers, basic auth, insecure TLS, proxies) is refused with a message, never silently ignored.
 */
export function kubeAccessFromKubeconfig(doc: unknown, files: KubeconfigFiles): KubeAccess {
  const root = dict(doc, 'the kubeconfig');
  const contextName = str(root['current-context'], 'current-context');
  const context = dict(named(root.contexts, 'contexts', contextName).context, `context "${contextName}"`);
  const clusterName = str(context.cluster, `context "${contextName}".cluster`);
  const userName = str(context.user, `context "${contextName}".user`);
  const cluster = dict(named(root.clusters, 'clusters', clusterName).cluster, `cluster "${clusterName}"`);
  const user = dict(named(root.users, 'users', userName).user ?? {}, `user "${userName}"`);
  return { server: serverOf(cluster, clusterName), ...caOf(cluster, files), ...credentialsOf(user, userName, files) };
}

function serverOf(cluster: Dict, name: string): string {
  if (cluster['insecure-skip-tls-verify'] === true) throw problem(`cluster "${name}" sets insecure-skip-tls-verify; the sidecar always verifies the API server`);
  if (cluster['proxy-url'] !== undefined) throw problem(`cluster "${name}" sets proxy-url, which is not supported`);
  return str(cluster.server, `cluster "${name}".server`);
}

function caOf(cluster: Dict, files: KubeconfigFiles): { ca?: string } {
  const ca = inlineOrFile(cluster, 'certificate-authority', files);
  return ca === undefined ? {} : { ca };
}

function credentialsOf(user: Dict, name: string, files: KubeconfigFiles): Omit<KubeAccess, 'server' | 'ca'> {
  const unsupported = Object.keys(user).filter((k) => !SUPPORTED_USER_FIELDS.has(k) && user[k] !== undefined && user[k] !== null);
  if (unsupported.length > 0) {
    throw problem(`user "${name}" uses ${unsupported.join(', ')}; supported are client certificates, token and tokenFile`);
  }
  const cert = inlineOrFile(user, 'client-certificate', files);
  const key = inlineOrFile(user, 'client-key', files);
  if ((cert === undefined) !== (key === undefined)) throw problem(`user "${name}" needs both a client certificate and its key`);
  const out: { clientCert?: { cert: string; key: string }; bearerToken?: () => Promise<string> } = {};
  if (cert !== undefined && key !== undefined) out.clientCert = { cert, key };
  if (typeof user.token === 'string' && user.token !== '') {
    const token = user.token;
    out.bearerToken = () => Promise.resolve(token);
  } else if (typeof user.tokenFile === 'string' && user.tokenFile !== '') {
    const path = resolvePath(files.baseDir, user.tokenFile);
    out.bearerToken = () => files.readTextAsync(path);
  }
  if (out.clientCert === undefined && out.bearerToken === undefined) throw problem(`user "${name}" has no credentials`);
  return out;
}

function inlineOrFile(section: Dict, field: string, files: KubeconfigFiles): string | undefined {
  const data = section[`${field}-data`];
  if (typeof data === 'string' && data !== '') return Buffer.from(data, 'base64').toString('utf8');
  const path = section[field];
  if (typeof path === 'string' && path !== '') return files.readText(resolvePath(files.baseDir, path));
  return undefined;
}

function resolvePath(baseDir: string, path: string): string {
  return resolve(baseDir, path);
}

function named(list: unknown, what: string, name: string): Dict {
  const entry = Array.isArray(list) ? (list as unknown[]).find((e) => (e as Dict | null)?.name === name) : undefined;
  if (entry === undefined) throw problem(`${what} has no entry named "${name}"`);
  return dict(entry, `${what} "${name}"`);
}

function dict(value: unknown, what: string): Dict {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw problem(`${what} is not a mapping`);
  return value as Dict;
}

function str(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw problem(`${what} is missing`);
  return value;
}

function problem(message: string): PortcullisError {
  return new PortcullisError('CONFIG_INVALID', `kubeconfig: ${message}`);
}
