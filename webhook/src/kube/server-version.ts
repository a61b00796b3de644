import { VersionApi, type KubeConfig } from '@kubernetes/client-node';

export interface ServerVersion {
  readonly major: number;
  readonly minor: number;
  readonly gitVersion: string;
}

/** Native sidecars (init containers with restartPolicy Always) are on by default from Kubernetes 1.29. */
export function supportsNativeSidecars(v: Pick<ServerVersion, 'major' | 'minor'>): boolean {
  return v.major > 1 || (v.major === 1 && v.minor >= 29);
}

/** Parses /version's major and minor ("1", "34+" on some distributions). */
export function parseServerVersion(info: { major?: string; minor?: string; gitVersion?: string }): ServerVersion | undefined {
  const major = Number.parseInt(info.major ?? '', 10);
  const minor = Number.parseInt(info.minor ?? '', 10);
  if (Number.isNaN(major) || Number.isNaN(minor)) {
    const m = /^v(\d+)\.(\d+)/.exec(info.gitVersion ?? '');
    if (!m) return undefined;
    return { major: Number(m[1]), minor: Number(m[2]), gitVersion: info.gitVersion ?? '' };
  }
  return { major, minor, gitVersion: info.gitVersion ?? '' };
}

export async function fetchServerVersion(kc: KubeConfig): Promise<ServerVersion | undefined> {
  const info = await kc.makeApiClient(VersionApi).getCode();
  return parseServerVersion(info);
}
