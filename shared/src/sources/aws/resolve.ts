import { isRegionName, partitionOf } from '../../aws/endpoints/partitions.js';
import { DEFAULT_STS_AUDIENCE } from '../../contract/pod.js';
import type { CredentialSource } from '../../crd/index.js';
import type { SourceProblem } from '../resolve.js';
import { resolveAwsVault, type ResolvedVaultAwsOrigin } from '../vault/resolve.js';

export interface ResolvedWebIdentity {
  readonly kind: 'webIdentity';
  readonly roleArn: string;
  /** The role's account: the account of the ARNs the classifier builds. */
  readonly accountId: string;
  readonly partition: 'aws' | 'aws-cn' | 'aws-us-gov';
  readonly sessionDurationSeconds: number;
  readonly stsRegion: string | undefined;
  readonly tokenAudience: string;
}

export interface ResolvedStaticKeys {
  readonly kind: 'staticKeys';
  readonly secretName: string;
  readonly accessKeyIdKey: string;
  readonly secretAccessKeyKey: string;
  readonly sessionTokenKey: string | undefined;
}

/** spec.aws.services as a set of signing names; none or an empty list (refused by the schema) serves every service. */
function servicesOf(services: readonly string[] | undefined): ReadonlySet<string> | undefined {
  return services === undefined || services.length === 0 ? undefined : new Set(services);
}

/** An aws CredentialSource with defaults applied and everything the schema cannot check checked. */
export interface ResolvedAwsSource {
  readonly type: 'aws';
  readonly name: string;
  readonly port: number;
  /** spec.aws.endpoint: every call of this source (and STS) goes there instead of AWS's endpoints. */
  readonly endpoint: URL | undefined;
  readonly useFips: boolean;
  readonly useDualstack: boolean;
  readonly credentials: ResolvedWebIdentity | ResolvedStaticKeys | ResolvedVaultAwsOrigin;
  /**
   * The region a SigV2 presigned S3 URL (which names none) is re-signed for: the AWS_REGION (or
   * AWS_DEFAULT_REGION) the source gives the app in spec.env, else us-east-1 (SigV2's home region).
   */
  readonly sigV2Region: string;
  /** spec.aws.services: the signing names this source serves; undefined serves every service. */
  readonly services: ReadonlySet<string> | undefined;
}

/** The region in spec.env the app also reads (AWS_REGION before AWS_DEFAULT_REGION), else us-east-1. */
export function sigV2RegionOf(env: CredentialSource['spec']['env']): string {
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION']) {
    const value = env?.find((e) => e.name === name)?.value;
    if (value !== undefined && isRegionName(value)) return value;
  }
  return 'us-east-1';
}

const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/(?:[!-~]+\/)*[A-Za-z0-9+=,.@_-]{1,64}$/;
export const DEFAULT_SESSION_DURATION_SECONDS = 3600;
/** The Secret keys static AWS keys are read from when spec.aws.staticKeys.secretRef names none. */
export const DEFAULT_AWS_SECRET_KEYS = { accessKeyId: 'AWS_ACCESS_KEY_ID', secretAccessKey: 'AWS_SECRET_ACCESS_KEY' } as const;

function checkEndpoint(text: string, allowPlaintext: boolean): URL | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `spec.aws.endpoint ${JSON.stringify(text)} is not a URL`;
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowPlaintext)) {
    return `spec.aws.endpoint must use https:// (got ${url.protocol}//); set allowPlaintextEndpoint only for tests and in-cluster endpoints`;
  }
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    return 'spec.aws.endpoint must be scheme://host[:port] without a path, user info, query or fragment';
  }
  return new URL(url.origin);
}

function samePartition(region: string, partition: string): boolean {
  try {
    return partitionOf(region).id === partition;
  } catch {
    return false;
  }
}

function webIdentity(spec: NonNullable<NonNullable<CredentialSource['spec']['aws']>['webIdentity']>): ResolvedWebIdentity | string {
  const m = ROLE_ARN.exec(spec.roleArn);
  if (!m) return `spec.aws.webIdentity.roleArn ${JSON.stringify(spec.roleArn)} is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)`;
  const duration = spec.sessionDurationSeconds ?? DEFAULT_SESSION_DURATION_SECONDS;
  if (!Number.isInteger(duration) || duration < 900 || duration > 43_200) return 'spec.aws.webIdentity.sessionDurationSeconds must be 900..43200';
  const partition = (m[1] ?? 'aws') as ResolvedWebIdentity['partition'];
  if (spec.stsRegion !== undefined && !(isRegionName(spec.stsRegion) && samePartition(spec.stsRegion, partition))) {
    return `spec.aws.webIdentity.stsRegion ${JSON.stringify(spec.stsRegion)} is not a region of the role's partition ${partition}`;
  }
  return {
    kind: 'webIdentity',
    roleArn: spec.roleArn,
    accountId: m[2] ?? '',
    partition,
    sessionDurationSeconds: duration,
    stsRegion: spec.stsRegion,
    tokenAudience: spec.tokenAudience ?? DEFAULT_STS_AUDIENCE,
  };
}

function staticKeys(spec: NonNullable<CredentialSource['spec']['aws']>['staticKeys']): ResolvedStaticKeys | string {
  const ref = spec?.secretRef;
  if (!ref) return 'spec.aws.staticKeys.secretRef is required';
  return {
    kind: 'staticKeys',
    secretName: ref.name,
    accessKeyIdKey: ref.accessKeyIdKey ?? DEFAULT_AWS_SECRET_KEYS.accessKeyId,
    secretAccessKeyKey: ref.secretAccessKeyKey ?? DEFAULT_AWS_SECRET_KEYS.secretAccessKey,
    sessionTokenKey: ref.sessionTokenKey,
  };
}

/** Resolves spec.aws; returns a problem (never throws) so one bad source does not take the others down. */
export function resolveAwsSource(cs: CredentialSource): ResolvedAwsSource | SourceProblem {
  const source = cs.metadata.name ?? '';
  const aws = cs.spec.aws;
  const problem = (message: string): SourceProblem => ({ source, message });
  if (cs.spec.type !== 'aws' || !aws) return problem('spec.type is not aws or spec.aws is missing');
  const origins = [aws.webIdentity, aws.staticKeys, aws.vault].filter((o) => o !== undefined).length;
  if (origins !== 1) return problem('spec.aws needs exactly one of webIdentity, staticKeys or vault');
  const endpoint = aws.endpoint === undefined ? undefined : checkEndpoint(aws.endpoint, aws.allowPlaintextEndpoint === true);
  if (typeof endpoint === 'string') return problem(endpoint);
  const useFips = aws.useFipsEndpoint === true;
  const useDualstack = aws.useDualstackEndpoint === true;
  if (endpoint && (useFips || useDualstack)) return problem('spec.aws.endpoint cannot be combined with useFipsEndpoint or useDualstackEndpoint');
  const credentials = aws.webIdentity ? webIdentity(aws.webIdentity) : aws.vault ? resolveAwsVault(aws.vault) : staticKeys(aws.staticKeys);
  if (typeof credentials === 'string') return problem(credentials);
  return { type: 'aws', name: source, port: cs.spec.port, endpoint, useFips, useDualstack, credentials, sigV2Region: sigV2RegionOf(cs.spec.env), services: servicesOf(aws.services) };
}
