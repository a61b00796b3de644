/**
 * Parses the SigV4 signature an app attached to a request, from the `Authorization` header or from a
 * presigned URL's `X-Amz-*` query parameters. Portcullis does not trust the signature (the app holds only
 * placeholder keys); it needs the scope to know the service and region, and the signed-header list and
 * expiry to re-sign the same request with the real key.
 */
import { AwsProtocolError } from '../errors/protocol-error.js';
import { headerValue, type HeaderMap } from '../request/headers.js';
import { toQueryParams, type QueryParam } from '../request/uri.js';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';

export interface SigV4Scope {
  readonly accessKeyId: string;
  /** The scope date, `YYYYMMDD`. */
  readonly date: string;
  readonly region: string;
  /** The signing name (`s3`, `dynamodb`, `bedrock`, `execute-api`, ...). */
  readonly service: string;
  /** Lowercase header names the app signed, in the order given. */
  readonly signedHeaders: readonly string[];
  /** 64 lowercase hex characters. */
  readonly signature: string;
  readonly presigned: boolean;
  /** `X-Amz-Date` (`YYYYMMDDTHHMMSSZ`) from the header or query, when present. */
  readonly amzDate?: string;
  /** Presigned URLs: `X-Amz-Expires` in seconds. */
  readonly expiresSeconds?: number;
  /** Presigned URLs: whether the app put an `X-Amz-Security-Token` in the URL. */
  readonly hasSecurityToken: boolean;
}

export interface SignedRequestParts {
  readonly headers: HeaderMap;
  readonly query: string | URLSearchParams | readonly QueryParam[];
}

// AWS key ids are alphanumeric, but the app holds a placeholder (`portcullis-placeholder`, or whatever its
// owner set): accept the characters such names use, never the scope's `/` or the header's `,` `=` or spaces.
const ACCESS_KEY_ID = /^[A-Za-z0-9._-]{1,128}$/;
const SCOPE_DATE = /^(\d{4})(\d{2})(\d{2})$/;
const AMZ_DATE = /^\d{8}T\d{6}Z$/;
const LABEL = /^[a-z0-9][a-z0-9-]{0,62}$/;
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const SIGNATURE = /^[0-9a-f]{64}$/;
const MAX_PRESIGNED_SECONDS = 604_800;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
// The whole SignedHeaders value in one test (the common case); on a mismatch the names are checked one by one for the message.
const SIGNED_HEADERS = /^[a-z0-9!#$%&'*+.^_`|~-]+(?:;[a-z0-9!#$%&'*+.^_`|~-]+)*$/;

function malformed(detail: string): AwsProtocolError {
  return new AwsProtocolError('AWS_MALFORMED_AUTHORIZATION', detail);
}

function isCalendarDate(date: string): boolean {
  const m = SCOPE_DATE.exec(date);
  if (m === null) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Years before 100 were never accepted (Date.UTC reads them as 19xx); the rest is the proleptic Gregorian calendar.
  if (year < 100 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= (month === 2 ? (leap ? 29 : 28) : DAYS_IN_MONTH[month - 1] ?? 0);
}

function parseCredential(value: string): Pick<SigV4Scope, 'accessKeyId' | 'date' | 'region' | 'service'> {
  const parts = value.split('/');
  if (parts.length !== 5) throw malformed('Credential must be <access-key-id>/<date>/<region>/<service>/aws4_request');
  const [accessKeyId = '', date = '', region = '', service = '', terminator] = parts;
  if (!ACCESS_KEY_ID.test(accessKeyId)) throw malformed('Credential has an invalid access key id');
  if (!isCalendarDate(date)) throw malformed('Credential scope date must be a YYYYMMDD calendar date');
  if (!LABEL.test(region)) throw malformed('Credential scope region is not a valid region name');
  if (!LABEL.test(service)) throw malformed('Credential scope service is not a valid signing name');
  if (terminator !== 'aws4_request') throw malformed('Credential scope must end with aws4_request');
  return { accessKeyId, date, region, service };
}

function parseSignedHeaders(value: string): string[] {
  const names = value.split(';');
  const wellFormed = SIGNED_HEADERS.test(value);
  const seen = new Set<string>();
  for (const name of names) {
    if (!wellFormed && !HEADER_NAME.test(name)) throw malformed('SignedHeaders must be lowercase header names separated by ;');
    if (seen.has(name)) throw malformed(`SignedHeaders lists ${name} twice`);
    seen.add(name);
  }
  if (!seen.has('host') && !seen.has(':authority')) throw malformed('SignedHeaders must include host');
  return names;
}

function parseSignature(value: string): string {
  if (!SIGNATURE.test(value)) throw malformed('Signature must be 64 lowercase hex characters');
  return value;
}

function checkAmzDate(amzDate: string | undefined, scopeDate: string): void {
  if (amzDate === undefined) return;
  if (!AMZ_DATE.test(amzDate)) throw malformed('X-Amz-Date must be YYYYMMDDTHHMMSSZ');
  if (!amzDate.startsWith(scopeDate)) throw malformed('X-Amz-Date does not fall on the credential scope date');
}

/**
 * The Authorization header as every SDK writes it: the algorithm, one space, and exactly Credential,
 * SignedHeaders and Signature in that order, separated by `,` or `, `, no value holding a blank or a
 * comma. Such a header parses to the same parts as the general parser below gives it; anything else
 * goes to that parser.
 */
const SDK_AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^,\s]*), ?SignedHeaders=([^,\s]*), ?Signature=([^,\s]*)$/;

type ScopeParts = Pick<SigV4Scope, 'accessKeyId' | 'date' | 'region' | 'service' | 'signedHeaders'>;

/**
 * Credential and SignedHeaders already checked, by their text: an app signs call after call with the same
 * key id, date, region, service and header list, and only the signature and X-Amz-Date change. Both
 * checks are pure functions of the text, so a hit gives what checking again would; a failing text is
 * never stored. Bounded: emptied when full.
 */
const checkedParts = new Map<string, ScopeParts>();
export const MAX_CHECKED_SCOPES = 256;

/** Credential and SignedHeaders checked (or known), with X-Amz-Date checked between them as the general parser does. */
function scopeParts(credential: string, signedHeaders: string, amzDate: string | undefined): ScopeParts {
  const id = `${credential} ${signedHeaders}`;
  const known = checkedParts.get(id);
  if (known !== undefined) return known;
  const scope = parseCredential(credential);
  checkAmzDate(amzDate, scope.date);
  const parts: ScopeParts = Object.freeze({ ...scope, signedHeaders: Object.freeze(parseSignedHeaders(signedHeaders)) });
  if (checkedParts.size >= MAX_CHECKED_SCOPES) checkedParts.clear();
  checkedParts.set(id, parts);
  return parts;
}

function parseAuthorizationHeader(value: string, amzDate: string | undefined): SigV4Scope {
  const sdk = SDK_AUTHORIZATION.exec(value);
  if (sdk !== null) return headerScope(scopeParts(sdk[1] as string, sdk[2] as string, amzDate), sdk[3] as string, amzDate);
  const space = value.indexOf(' ');
  const algorithm = space < 0 ? value : value.slice(0, space);
  if (algorithm !== SIGV4_ALGORITHM) {
    throw new AwsProtocolError('AWS_UNSUPPORTED_SIGNING_ALGORITHM', `Authorization uses ${JSON.stringify(algorithm.slice(0, 32))}, not ${SIGV4_ALGORITHM}`);
  }
  const fields = new Map<string, string>();
  for (const raw of value.slice(space + 1).split(',')) {
    const field = raw.trim();
    const eq = field.indexOf('=');
    if (eq <= 0) throw malformed('Authorization components must be Name=value separated by commas');
    const name = field.slice(0, eq);
    if (fields.has(name)) throw malformed(`Authorization repeats ${name}`);
    fields.set(name, field.slice(eq + 1));
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (credential === undefined || signedHeaders === undefined || signature === undefined || fields.size !== 3) {
    throw malformed('Authorization must have exactly Credential, SignedHeaders and Signature');
  }
  const scope = parseCredential(credential);
  checkAmzDate(amzDate, scope.date);
  return headerScope({ ...scope, signedHeaders: parseSignedHeaders(signedHeaders) }, signature, amzDate);
}

/** The scope of a header-signed request; the checks run in the order the parts appear (credential, date, headers, signature). */
function headerScope(parts: ScopeParts, signature: string, amzDate: string | undefined): SigV4Scope {
  checkAmzDate(amzDate, parts.date);
  return {
    accessKeyId: parts.accessKeyId,
    date: parts.date,
    region: parts.region,
    service: parts.service,
    signedHeaders: parts.signedHeaders,
    signature: parseSignature(signature),
    presigned: false,
    ...(amzDate === undefined ? {} : { amzDate }),
    hasSecurityToken: false,
  };
}

function single(params: readonly QueryParam[], name: string): string | undefined {
  let found: string | undefined;
  for (const p of params) {
    if (p.name !== name) continue;
    if (found !== undefined) throw malformed(`${name} appears more than once in the query`);
    found = p.value;
  }
  return found;
}

function required(params: readonly QueryParam[], name: string): string {
  const value = single(params, name);
  if (value === undefined) throw malformed(`Presigned URL is missing ${name}`);
  return value;
}

function parsePresigned(params: readonly QueryParam[]): SigV4Scope {
  const algorithm = required(params, 'X-Amz-Algorithm');
  if (algorithm !== SIGV4_ALGORITHM) {
    throw new AwsProtocolError('AWS_UNSUPPORTED_SIGNING_ALGORITHM', `X-Amz-Algorithm is ${JSON.stringify(algorithm.slice(0, 32))}, not ${SIGV4_ALGORITHM}`);
  }
  const scope = parseCredential(required(params, 'X-Amz-Credential'));
  const amzDate = required(params, 'X-Amz-Date');
  checkAmzDate(amzDate, scope.date);
  const expires = required(params, 'X-Amz-Expires');
  const expiresSeconds = /^\d{1,6}$/.test(expires) ? Number(expires) : NaN;
  if (!(expiresSeconds >= 1 && expiresSeconds <= MAX_PRESIGNED_SECONDS)) {
    throw malformed(`X-Amz-Expires must be 1..${MAX_PRESIGNED_SECONDS} seconds`);
  }
  return {
    ...scope,
    signedHeaders: parseSignedHeaders(required(params, 'X-Amz-SignedHeaders')),
    signature: parseSignature(required(params, 'X-Amz-Signature')),
    presigned: true,
    amzDate,
    expiresSeconds,
    hasSecurityToken: single(params, 'X-Amz-Security-Token') !== undefined,
  };
}

const PRESIGN_PARAMS = new Set(['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature']);

/**
 * Parses the request's SigV4 signature. Returns undefined when the request carries none (no
 * Authorization header, no X-Amz-* signing parameters) so the caller decides; throws
 * AWS_MALFORMED_AUTHORIZATION / AWS_UNSUPPORTED_SIGNING_ALGORITHM otherwise.
 */
export function parseSigV4(request: SignedRequestParts): SigV4Scope | undefined {
  const authorization = headerValue(request.headers, 'authorization');
  const params = toQueryParams(request.query);
  const presigned = params.some((p) => PRESIGN_PARAMS.has(p.name));
  if (authorization !== undefined && presigned) {
    throw malformed('Request has both an Authorization header and presigned-URL parameters');
  }
  if (authorization !== undefined) {
    if (authorization.length > 8192) throw malformed('Authorization header is too long');
    return parseAuthorizationHeader(authorization, headerValue(request.headers, 'x-amz-date'));
  }
  return presigned ? parsePresigned(params) : undefined;
}
