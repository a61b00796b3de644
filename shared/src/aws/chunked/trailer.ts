/**
 * The trailer section of an aws-chunked body: `name:value\r\n` lines after the final chunk, the last one
 * `x-amz-trailer-signature:<64 hex>` when the payload is signed. Pure parsing; resigner.ts drives it.
 */
import { AwsProtocolError } from '../errors/protocol-error.js';
import { checksumAlgorithmOf } from './checksum.js';

export const TRAILER_SIGNATURE = 'x-amz-trailer-signature';
const MAX_TRAILERS = 8;
const TRAILER_NAME = /^[A-Za-z0-9-]{1,64}$/;
const CHECKSUM_VALUE = /^[A-Za-z0-9+/]{1,88}={0,2}$/;
const SIGNATURE = /^[0-9a-f]{64}$/;

export interface TrailerLine {
  /** Lowercase name. */
  readonly name: string;
  /** The name exactly as sent, so the re-emitted body keeps its length. */
  readonly rawName: string;
  readonly value: string;
}

export function malformedChunked(detail: string): AwsProtocolError {
  return new AwsProtocolError('AWS_MALFORMED_CHUNKED_BODY', detail);
}

/** Parses one trailer line (without its CRLF). */
export function parseTrailerLine(line: string): TrailerLine {
  const colon = line.indexOf(':');
  if (colon <= 0) throw malformedChunked('Trailer line is not name:value');
  const rawName = line.slice(0, colon);
  if (!TRAILER_NAME.test(rawName)) throw malformedChunked('Trailer name is not a header token');
  return { name: rawName.toLowerCase(), rawName, value: line.slice(colon + 1).trim() };
}

export interface TrailerRules {
  readonly signed: boolean;
  /** Lowercase names the request declared in `x-amz-trailer`; when set, exactly these must arrive. */
  readonly declared?: readonly string[];
}

/**
 * Validates the complete trailer set; returns the checksum trailers (signature excluded) and the incoming
 * trailer signature when signed.
 */
function checkTrailerLine(line: TrailerLine, isLast: boolean, signed: boolean): 'signature' | 'checksum' {
  if (line.name === TRAILER_SIGNATURE) {
    if (!signed) throw malformedChunked('Unsigned payload carries a trailer signature');
    if (!isLast) throw malformedChunked('x-amz-trailer-signature must be the last trailer');
    if (!SIGNATURE.test(line.value)) throw malformedChunked('x-amz-trailer-signature must be 64 lowercase hex characters');
    return 'signature';
  }
  if (checksumAlgorithmOf(line.name) === undefined) throw malformedChunked(`Trailer ${line.name} is not an x-amz-checksum-* trailer`);
  if (!CHECKSUM_VALUE.test(line.value)) throw malformedChunked(`Trailer ${line.name} is not base64`);
  return 'checksum';
}

function checkDeclared(checksums: readonly TrailerLine[], declared: readonly string[] | undefined): void {
  if (declared === undefined) return;
  const names = checksums.map((c) => c.name).sort();
  const expected = [...declared].sort();
  if (names.length !== expected.length || names.some((n, i) => n !== expected[i])) {
    throw malformedChunked(`Trailers ${names.join(',')} do not match x-amz-trailer ${expected.join(',')}`);
  }
}

/**
 * Validates the complete trailer set; returns the checksum trailers (signature excluded) and the incoming
 * trailer signature when signed.
 */
export function validateTrailers(lines: readonly TrailerLine[], rules: TrailerRules): { checksums: TrailerLine[]; signature?: string } {
  if (lines.length > MAX_TRAILERS) throw malformedChunked(`More than ${MAX_TRAILERS} trailer lines`);
  const checksums: TrailerLine[] = [];
  let signature: string | undefined;
  const seen = new Set<string>();
  for (const [index, line] of lines.entries()) {
    if (seen.has(line.name)) throw malformedChunked(`Trailer ${line.name} appears twice`);
    seen.add(line.name);
    if (checkTrailerLine(line, index === lines.length - 1, rules.signed) === 'signature') signature = line.value;
    else checksums.push(line);
  }
  if (checksums.length === 0) throw malformedChunked('Trailer payload ends without a checksum trailer');
  if (rules.signed && signature === undefined) throw malformedChunked('Signed trailer payload ends without x-amz-trailer-signature');
  checkDeclared(checksums, rules.declared);
  return signature === undefined ? { checksums } : { checksums, signature };
}

/** The bytes the trailer signature covers: `lowercase-name:value\n` per checksum trailer, in order. */
export function canonicalTrailers(checksums: readonly TrailerLine[]): string {
  let out = '';
  for (const line of checksums) out += `${line.name}:${line.value}\n`;
  return out;
}
