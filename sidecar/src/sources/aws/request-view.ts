import { AwsProtocolError, headerValue, parseQuery, parseSigV4, uriEncode, type HeaderMap, type SigV4Scope } from '@portcullis/shared';

const S3_SIGNING_NAMES = new Set(['s3', 's3-outposts', 's3express']);
/** Host names under which apps reach the sidecar with a label in front (`bucket.localhost`). */
const LOCAL_SUFFIX = '.localhost';

/** What the sidecar reads from an app's AWS request before classifying it. */
export interface AwsRequestView {
  /** The app's signature (placeholder key): service, region, signed headers, presigned expiry. */
  readonly scope: SigV4Scope;
  readonly service: string;
  readonly region: string;
  /** S3 (s3, s3-outposts, s3express): path-style addressing, object bodies never buffered; decided once here. */
  readonly s3: boolean;
  /** The path as sent; virtual-hosted S3 requests get `/<bucket>` in front, so it is always path-style. */
  readonly path: string;
  /** S3 virtual-hosted requests: the bucket from the Host label. */
  readonly hostBucket?: string;
  /** Other services: the Host label (`bedrock-runtime` from `bedrock-runtime.localhost`). */
  readonly hostPrefixHint?: string;
}

export function isS3SigningName(service: string): boolean {
  return S3_SIGNING_NAMES.has(service);
}

/** The label in front of `.localhost` in the Host header, lowercase; undefined for 127.0.0.1, [::1], localhost. */
export function hostLabel(host: string | undefined): string | undefined {
  if (host === undefined || host.startsWith('[')) return undefined;
  const name = host.replace(/:\d*$/, '').toLowerCase().replace(/\.$/, '');
  if (!name.endsWith(LOCAL_SUFFIX)) return undefined;
  const label = name.slice(0, -LOCAL_SUFFIX.length);
  return label === '' ? undefined : label;
}

/**
 * Parses the app's SigV4 signature and addressing. An unsigned request is refused: without the scope
 * there is no service or region to route and authorize by.
 */
export function viewRequest(rawPath: string, rawQuery: string, headers: HeaderMap): AwsRequestView {
  const scope = parseSigV4({ headers, query: rawQuery });
  if (scope === undefined && parseQuery(rawQuery).some((p) => p.name === 'AWSAccessKeyId')) {
    // The region is not in a SigV2 signature, so it cannot be re-signed with SigV4 for the right region.
    throw new AwsProtocolError(
      'AWS_UNSUPPORTED_SIGNING_ALGORITHM',
      'This is a SigV2 presigned URL (AWSAccessKeyId/Signature/Expires); make presigned URLs with SigV4: boto3 Config(signature_version="s3v4"), aws CLI `aws configure set default.s3.signature_version s3v4`',
    );
  }
  if (scope === undefined) {
    throw new AwsProtocolError(
      'AWS_MALFORMED_AUTHORIZATION',
      'The request carries no SigV4 signature; sign it with the placeholder keys the pod was given (anonymous requests are refused)',
    );
  }
  const label = hostLabel(headerValue(headers, 'host'));
  const s3 = isS3SigningName(scope.service);
  const base = { scope, service: scope.service, region: scope.region, s3 };
  if (label === undefined) return { ...base, path: rawPath };
  if (!s3) return { ...base, path: rawPath, hostPrefixHint: label };
  return { ...base, path: `/${uriEncode(label)}${rawPath === '/' ? '' : rawPath}`, hostBucket: label };
}
