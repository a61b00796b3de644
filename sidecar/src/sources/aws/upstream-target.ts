import { percentDecodeBytes, type ResolvedEndpoint } from '@portcullis/shared';

/** Where the request goes and the path (path-style or virtual-hosted) it is sent and signed with. */
export interface UpstreamTarget {
  readonly endpoint: ResolvedEndpoint;
  readonly path: string;
}

// Buckets that can be a host label under S3's wildcard certificate: no dots, no upper case.
const VIRTUAL_HOSTABLE = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/**
 * The upstream of a request whose path is path-style (`/bucket/key`). S3 on AWS's own endpoints is sent
 * virtual-hosted (`bucket.s3.<region>.amazonaws.com/key`) when the bucket name allows it, as the SDKs do,
 * since AWS is retiring path-style; everything else, including every endpoint override (MinIO, VPC
 * endpoints) and buckets with dots, is sent path-style. Either way the same bucket and key are addressed
 * and the Host is built by the sidecar, never taken from the app.
 */
export function upstreamTarget(path: string, endpoint: ResolvedEndpoint, s3: boolean, overridden: boolean): UpstreamTarget {
  if (!s3 || overridden || endpoint.signingName !== 's3') return { endpoint, path };
  const slash = path.indexOf('/', 1);
  const rawBucket = slash < 0 ? path.slice(1) : path.slice(1, slash);
  const bucket = percentDecodeBytes(rawBucket)?.toString('utf8') ?? '';
  if (!VIRTUAL_HOSTABLE.test(bucket) || bucket.startsWith('xn--') || bucket.endsWith('-s3alias')) return { endpoint, path };
  const rest = slash < 0 ? '/' : path.slice(slash);
  const url = new URL(endpoint.url.href);
  url.hostname = `${bucket}.${url.hostname}`;
  return { endpoint: { ...endpoint, url }, path: rest === '' ? '/' : rest };
}
