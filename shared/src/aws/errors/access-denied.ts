/**
 * Denials rendered in the protocol's own error shape, so the app's SDK raises its usual access-denied
 * error with Portcullis's explanation as the message:
 *
 * - S3 (REST-XML, unwrapped): `<Error><Code>AccessDenied</Code><Message/><RequestId/></Error>`
 * - query protocols and REST-XML (Route 53, CloudFront): `<ErrorResponse><Error><Type>Sender</Type>...`
 * - EC2: `<Response><Errors><Error><Code>UnauthorizedOperation</Code>...</Errors><RequestID/></Response>`
 * - JSON protocols: `{"__type":"AccessDeniedException","message":"..."}` as application/x-amz-json-1.x
 * - REST-JSON: the same body as application/json; both carry `x-amzn-ErrorType`.
 */
import type { AwsProtocol } from '../classify/types.js';

export interface DenialInput {
  readonly protocol: AwsProtocol;
  /** JSON protocols: the version the request used (its content type); default 1.0. */
  readonly jsonVersion?: '1.0' | '1.1';
  readonly action: string;
  readonly resources: readonly string[];
  /** The deciding EgressPolicy as `namespace/name`, when one decided. */
  readonly policy?: string;
  /** Why, in a few words: `no rule allows it`, `denied by rule 2`. */
  readonly reason: string;
  readonly requestId: string;
  /** HEAD answers carry no body. */
  readonly method?: string;
}

export interface AwsErrorResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const MAX_RESOURCES_SHOWN = 3;

/** Escapes text for XML 1.0 content and drops characters XML 1.0 cannot carry at all. */
export function xmlEscape(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** `Portcullis denied s3:DeleteObject on arn:aws:s3:::b/k (EgressPolicy team-a/readers: no rule allows it)` */
export function denialMessage(input: Pick<DenialInput, 'action' | 'resources' | 'policy' | 'reason'>): string {
  const shown = input.resources.slice(0, MAX_RESOURCES_SHOWN).join(', ');
  const more = input.resources.length > MAX_RESOURCES_SHOWN ? ` and ${input.resources.length - MAX_RESOURCES_SHOWN} more` : '';
  const on = shown === '' ? '' : ` on ${shown}${more}`;
  const why = input.policy === undefined ? input.reason : `EgressPolicy ${input.policy}: ${input.reason}`;
  return `Portcullis denied ${input.action}${on} (${why})`;
}

function xmlBody(protocol: AwsProtocol, message: string, requestId: string): string {
  const m = xmlEscape(message);
  const id = xmlEscape(requestId);
  if (protocol === 's3') {
    return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>${m}</Message><RequestId>${id}</RequestId></Error>`;
  }
  if (protocol === 'ec2') {
    return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>${m}</Message></Error></Errors><RequestID>${id}</RequestID></Response>`;
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>${m}</Message></Error><RequestId>${id}</RequestId></ErrorResponse>`;
}

/** Renders a 403 denial in the request's protocol. */
export function renderAccessDenied(input: DenialInput): AwsErrorResponse {
  const message = denialMessage(input);
  const head = input.method?.toUpperCase() === 'HEAD';
  if (input.protocol === 'json' || input.protocol === 'rest-json') {
    const contentType = input.protocol === 'json' ? `application/x-amz-json-${input.jsonVersion ?? '1.0'}` : 'application/json';
    return {
      status: 403,
      headers: { 'content-type': contentType, 'x-amzn-errortype': 'AccessDeniedException', 'x-amzn-requestid': input.requestId },
      body: head ? '' : JSON.stringify({ __type: 'AccessDeniedException', message, Message: message }),
    };
  }
  const body = xmlBody(input.protocol, message, input.requestId);
  const idHeader = input.protocol === 's3' ? 'x-amz-request-id' : 'x-amzn-requestid';
  return {
    status: 403,
    headers: { 'content-type': input.protocol === 's3' ? 'application/xml' : 'text/xml', [idHeader]: input.requestId },
    body: head ? '' : body,
  };
}
