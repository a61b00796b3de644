/**
 * Derives the real AWS endpoint for a request from its SigV4 credential scope (service + region).
 *
 * The scope comes from the app, so everything that reaches a host name is validated: the service must be
 * a plain label (`[a-z0-9-]`), the region a region name, and a host hint one of the hosts the table lists
 * for that signing name. An app can therefore only ever reach `*.amazonaws.com[.cn]` / `*.api.aws` hosts
 * that AWS itself defines, never a host of its choosing.
 *
 * Endpoints that cannot be derived from the scope need `override` (from the CredentialSource):
 * API Gateway (`execute-api`: the API id is in the host), Lambda function URLs (`lambda` scope, host
 * `<id>.lambda-url.<region>.on.aws`), OpenSearch Serverless, AppSync, IoT data, and any private or
 * VPC endpoint.
 */
import { SERVICE_ENDPOINTS, type ServiceEndpointRow } from './endpoint-table.js';
import { AwsProtocolError } from '../errors/protocol-error.js';
import { isRegionName, partitionOf, type Partition, type PartitionId } from './partitions.js';

export interface EndpointRequest {
  /** The signing name from the credential scope (`s3`, `dynamodb`, `bedrock`, ...). */
  readonly service: string;
  readonly region: string;
  readonly useFips?: boolean;
  readonly useDualstack?: boolean;
  /** Explicit endpoint (CredentialSource): used as-is, the scope only supplies the signing name and region. */
  readonly override?: URL | string;
  /**
   * The first label(s) of the Host the app used (`bedrock-runtime` from `bedrock-runtime.localhost`) when
   * one signing name serves several hosts. Must be one of the table's hosts for the service.
   */
  readonly hostPrefixHint?: string;
  /** The raw request path; used to pick the host when no hint is given (`/model/x/invoke` → bedrock-runtime). */
  readonly path?: string;
}

export interface ResolvedEndpoint {
  /** Origin of the upstream (`https://s3.us-east-1.amazonaws.com/`); the request path is appended by the caller. */
  readonly url: URL;
  readonly signingName: string;
  readonly signingRegion: string;
  readonly partition: PartitionId;
}

const SERVICE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const HOST_PREFIX = /^[a-z0-9-]+(?:\.[a-z0-9-]+)?$/;

const ROWS: ReadonlyMap<string, ServiceEndpointRow> = new Map(SERVICE_ENDPOINTS.map((row) => [row.signingName, row]));

function variantError(what: string, service: string, partition: string): AwsProtocolError {
  return new AwsProtocolError('AWS_UNSUPPORTED_ENDPOINT_VARIANT', `${what} is not available for ${service} in partition ${partition}`);
}

function fromOverride(req: EndpointRequest): ResolvedEndpoint {
  const url = new URL(req.override instanceof URL ? req.override.href : (req.override ?? ''));
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '') {
    throw new AwsProtocolError('AWS_UNSUPPORTED_SERVICE', `Endpoint override ${JSON.stringify(url.origin)} must be an http(s) URL without credentials`);
  }
  const partition: PartitionId = isRegionName(req.region) ? partitionOf(req.region).id : 'aws';
  return { url: new URL(url.origin), signingName: req.service, signingRegion: req.region, partition };
}

function pickHostPrefix(row: ServiceEndpointRow | undefined, req: EndpointRequest): string {
  const base = row?.hostPrefix ?? req.service;
  const alternates = row?.alternates ?? [];
  if (req.hostPrefixHint !== undefined) {
    if (req.hostPrefixHint === base || alternates.some((a) => a.hostPrefix === req.hostPrefixHint)) return req.hostPrefixHint;
    throw new AwsProtocolError(
      'AWS_UNSUPPORTED_SERVICE',
      `Host ${JSON.stringify(req.hostPrefixHint.slice(0, 64))} is not an endpoint of signing name ${req.service}`,
    );
  }
  const path = req.path === undefined ? undefined : (req.path.split('?')[0] ?? '');
  if (path !== undefined) {
    for (const alternate of alternates) {
      if (alternate.paths?.some((pattern) => pattern.test(path)) === true) return alternate.hostPrefix;
    }
  }
  return base;
}

function globalEndpoint(row: ServiceEndpointRow, partition: Partition, req: EndpointRequest): ResolvedEndpoint | undefined {
  if (row.global === undefined) return undefined;
  const entry = row.global[partition.id];
  if (entry === undefined) throw variantError('The service', req.service, partition.id);
  if (req.useDualstack === true) throw variantError('Dual-stack', req.service, partition.id);
  let host = entry.host;
  if (req.useFips === true) {
    if (entry.fipsHost === undefined) throw variantError('FIPS', req.service, partition.id);
    host = entry.fipsHost;
  }
  return { url: new URL(`https://${host}`), signingName: req.service, signingRegion: entry.signingRegion, partition: partition.id };
}

function fipsLabel(row: ServiceEndpointRow | undefined, prefix: string, service: string): string {
  const isDefaultPrefix = prefix === (row?.hostPrefix ?? service);
  return isDefaultPrefix && row?.fipsHostPrefix !== undefined ? row.fipsHostPrefix : `${prefix}-fips`;
}

function regionalHost(row: ServiceEndpointRow | undefined, prefix: string, partition: Partition, req: EndpointRequest): string {
  const fips = req.useFips === true;
  const dual = req.useDualstack === true;
  if (fips && (!partition.supportsFips || row?.fips === false)) throw variantError('FIPS', req.service, partition.id);
  const label = fips ? fipsLabel(row, prefix, req.service) : prefix;
  if (!dual) return `${label}.${req.region}.${partition.dnsSuffix}`;
  const style = row?.dualStack ?? 'api-aws';
  if (style === false) throw variantError('Dual-stack', req.service, partition.id);
  if (style === 's3') return `${label}.dualstack.${req.region}.${partition.dnsSuffix}`;
  return `${label}.${req.region}.${partition.dualStackDnsSuffix}`;
}

/** Resolves the upstream endpoint and signing parameters for a credential scope. */
export function resolveEndpoint(req: EndpointRequest): ResolvedEndpoint {
  if (!SERVICE_NAME.test(req.service)) {
    throw new AwsProtocolError('AWS_UNSUPPORTED_SERVICE', `Service ${JSON.stringify(req.service.slice(0, 64))} is not a valid signing name`);
  }
  if (req.override !== undefined) return fromOverride(req);
  const partition = partitionOf(req.region);
  const row = ROWS.get(req.service);
  if (row?.overrideOnly !== undefined) {
    throw new AwsProtocolError('AWS_UNSUPPORTED_SERVICE', `${req.service} needs an explicit endpoint: ${row.overrideOnly}`);
  }
  if (row !== undefined) {
    const global = globalEndpoint(row, partition, req);
    if (global !== undefined) return global;
  }
  const prefix = pickHostPrefix(row, req);
  if (!HOST_PREFIX.test(prefix)) {
    throw new AwsProtocolError('AWS_UNSUPPORTED_SERVICE', `Host prefix ${JSON.stringify(prefix)} is not a valid host label`);
  }
  const host = regionalHost(row, prefix, partition, req);
  return { url: new URL(`https://${host}`), signingName: req.service, signingRegion: req.region, partition: partition.id };
}
