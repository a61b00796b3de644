import {
  httpStatusOf,
  isoSeconds,
  PresignedUrlExpiredError,
  renderAccessDenied,
  xmlEscape,
  type AwsErrorResponse,
  type AwsProtocol,
  type Decision,
  type PortcullisError,
} from '@portcullis/shared';

/** The AWS error code the app's SDK sees for a Portcullis failure of a given status. */
const AWS_CODE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'InvalidRequest',
  403: 'AccessDenied',
  413: 'EntityTooLarge',
  500: 'InternalError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

export interface FailureInput {
  readonly protocol: AwsProtocol;
  readonly jsonVersion: '1.0' | '1.1' | undefined;
  readonly requestId: string;
  readonly method: string;
}

/** Throttling in each protocol's own words, which the AWS SDKs retry with backoff. */
function throttlingCode(protocol: AwsProtocol): string {
  if (protocol === 's3') return 'SlowDown';
  if (protocol === 'ec2') return 'RequestLimitExceeded';
  if (protocol === 'json' || protocol === 'rest-json') return 'ThrottlingException';
  return 'Throttling';
}

function awsCode(status: number, protocol: AwsProtocol): string {
  if (status === 429) return throttlingCode(protocol);
  const code = AWS_CODE_BY_STATUS[status] ?? 'InternalError';
  if (protocol === 'json' || protocol === 'rest-json') return code === 'AccessDenied' ? 'AccessDeniedException' : code;
  if (protocol === 'ec2' && code === 'AccessDenied') return 'UnauthorizedOperation';
  return code;
}

function xmlBody(protocol: AwsProtocol, status: number, code: string, message: string, requestId: string): string {
  const c = xmlEscape(code);
  const m = xmlEscape(message);
  const id = xmlEscape(requestId);
  if (protocol === 's3') return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${c}</Code><Message>${m}</Message><RequestId>${id}</RequestId></Error>`;
  if (protocol === 'ec2') return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${c}</Code><Message>${m}</Message></Error></Errors><RequestID>${id}</RequestID></Response>`;
  const type = status >= 500 ? 'Receiver' : 'Sender';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error><Type>${type}</Type><Code>${c}</Code><Message>${m}</Message></Error><RequestId>${id}</RequestId></ErrorResponse>`;
}

/**
 * Any Portcullis failure (other than a policy denial) in the protocol's own error shape: the status of its
 * code, a generic AWS error code for that status (so SDK retry logic behaves: 5xx retried, 4xx not) and a
 * message that starts with `Portcullis <CODE>:`.
 */
export function renderFailure(err: PortcullisError, input: FailureInput): AwsErrorResponse {
  if (err instanceof PresignedUrlExpiredError && input.protocol === 's3') return renderExpired(err, input);
  const status = httpStatusOf(err.code);
  const code = awsCode(status, input.protocol);
  const message = err.message.startsWith('Portcullis') ? `${err.message} [${err.code}]` : `Portcullis ${err.code}: ${err.message}`;
  const head = input.method.toUpperCase() === 'HEAD';
  if (input.protocol === 'json' || input.protocol === 'rest-json') {
    const contentType = input.protocol === 'json' ? `application/x-amz-json-${input.jsonVersion ?? '1.0'}` : 'application/json';
    return {
      status,
      headers: { 'content-type': contentType, 'x-amzn-errortype': code, 'x-amzn-requestid': input.requestId },
      body: head ? '' : JSON.stringify({ __type: code, message, Message: message }),
    };
  }
  const idHeader = input.protocol === 's3' ? 'x-amz-request-id' : 'x-amzn-requestid';
  return {
    status,
    headers: { 'content-type': input.protocol === 's3' ? 'application/xml' : 'text/xml', [idHeader]: input.requestId },
    body: head ? '' : xmlBody(input.protocol, status, code, message, input.requestId),
  };
}

/**
 * An expired presigned S3 URL refused as S3 refuses it: 403 AccessDenied, "Request has expired", with
 * `<Expires>` and `<ServerTime>`; the Portcullis code rides along in an element of its own.
 */
function renderExpired(err: PresignedUrlExpiredError, input: FailureInput): AwsErrorResponse {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message>' +
    `<Expires>${isoSeconds(err.expiredAt)}</Expires><ServerTime>${isoSeconds(err.serverTime)}</ServerTime>` +
    `<PortcullisCode>${err.code}</PortcullisCode><RequestId>${xmlEscape(input.requestId)}</RequestId></Error>`;
  return {
    status: httpStatusOf(err.code),
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': input.requestId },
    body: input.method.toUpperCase() === 'HEAD' ? '' : body,
  };
}

function reasonOf(d: Decision): string {
  if (d.reason === 'denied by rule') return `denied by rule "${d.rule ?? ''}"`;
  return d.reason;
}

/** A policy denial as the protocol's AccessDenied, naming the denied action, resource and policy. */
export function renderDenial(
  decision: Decision,
  fallback: { readonly action: string; readonly resources: readonly string[] },
  input: FailureInput,
): AwsErrorResponse {
  const action = decision.item?.action ?? fallback.action;
  const resources = decision.item?.resource !== undefined ? [decision.item.resource] : fallback.resources;
  return renderAccessDenied({
    protocol: input.protocol,
    ...(input.jsonVersion ? { jsonVersion: input.jsonVersion } : {}),
    action,
    resources,
    ...(decision.policy ? { policy: decision.policy } : {}),
    reason: reasonOf(decision),
    requestId: input.requestId,
    method: input.method,
  });
}
