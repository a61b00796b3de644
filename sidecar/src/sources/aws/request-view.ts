import {
  AwsProtocolError,
  headerValue,
  parseSigV2Presigned,
  parseSigV4,
  serializeQuery,
  sigV2AsSigV4Scope,
  uriEncode,
  withoutSigV2Params,
  type HeaderMap,
  type SigV4Scope,
} from '@portcullis/shared';
import { s3HostBucket } from './s3-host-bucket.js';

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
  /** The raw query to classify and re-sign: as sent, without the SigV2 parameters of a SigV2 presigned URL. */
  readonly query: string;
  /** True for a SigV2 presigned URL, re-issued as SigV4 (`scope` is the SigV4 scope it is re-signed under). */
  readonly sigV2: boolean;
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

export interface ViewOptions {
  /** The time a SigV2 URL's expiry is checked against and its SigV4 re-issue is signed at. */
  readonly now: Date;
  /** The region a SigV2 presigned URL (which names none) is re-signed for. */
  readonly sigV2Region: string;
}

/** The app's signature: SigV4 as sent, or a SigV2 presigned URL as the SigV4 scope it is re-issued under. */
function signatureOf(rawQuery: string, headers: HeaderMap, options: ViewOptions): { scope: SigV4Scope | undefined; query: string; sigV2: boolean } {
  const v2 = headerValue(headers, 'authorization') === undefined ? parseSigV2Presigned(rawQuery) : undefined;
  if (v2 === undefined) return { scope: parseSigV4({ headers, query: rawQuery }), query: rawQuery, sigV2: false };
  return { scope: sigV2AsSigV4Scope(v2, options.sigV2Region, options.now), query: serializeQuery(withoutSigV2Params(rawQuery)), sigV2: true };
}

/**
 * Parses the app's signature (SigV4, or a SigV2 presigned S3 URL) and addressing. An unsigned request is
 * refused: without the scope there is no service or region to route and authorize by. An expired SigV2
 * URL is refused here (AWS_PRESIGNED_URL_EXPIRED), before anything else, as S3 does.
 */
export function viewRequest(rawPath: string, rawQuery: string, headers: HeaderMap, options: ViewOptions): AwsRequestView {
  const { scope, query, sigV2 } = signatureOf(rawQuery, headers, options);
  if (scope === undefined) {
    throw new AwsProtocolError(
      'AWS_MALFORMED_AUTHORIZATION',
      'The request carries no SigV4 signature; sign it with the placeholder keys the pod was given (anonymous requests are refused)',
    );
  }
  const host = headerValue(headers, 'host');
  const s3 = isS3SigningName(scope.service);
  // `bucket.localhost` on the source port; S3's own names (`bucket.s3.<region>.amazonaws.com`) in proxy mode.
  const label = hostLabel(host) ?? (s3 ? s3HostBucket(host) : undefined);
  const base = { scope, service: scope.service, region: scope.region, s3, query, sigV2 };
  if (label === undefined) return { ...base, path: rawPath };
  if (!s3) return { ...base, path: rawPath, hostPrefixHint: label };
  return { ...base, path: `/${uriEncode(label)}${rawPath === '/' ? '' : rawPath}`, hostBucket: label };
}
