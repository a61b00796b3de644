import {
  amzJsonVersion,
  classifyAwsRequest,
  headerValue,
  isFormContentType,
  parseDeleteObjectsKeys,
  policyItemsOf,
  sha256Hex,
  type AwsClassification,
  type AwsRequestInfo,
  type HeaderMap,
  type RequestItem,
} from '@portcullis/shared';
import type { AwsRequestView } from './request-view.js';

export interface ClassifyCallInput {
  readonly method: string;
  readonly view: AwsRequestView;
  readonly rawQuery: string;
  readonly headers: HeaderMap;
  readonly accountId: string | undefined;
  /** The body, when bodyPlan said to read it. */
  readonly body: Buffer | undefined;
}

export interface ClassifiedCall {
  readonly classification: AwsClassification;
  /** Hex SHA-256 of the body, when the app sent no x-amz-content-sha256 and the body was read. */
  readonly payloadSha256: string | undefined;
}

function parsedBody(input: ClassifyCallInput): Pick<AwsRequestInfo, 'bodyForm' | 'bodyJson' | 'deleteObjects'> {
  const { body, headers } = input;
  if (body === undefined) return {};
  const text = body.toString('utf8');
  if (input.view.s3) return { deleteObjects: parseDeleteObjectsKeys(text) };
  const contentType = headerValue(headers, 'content-type');
  if (isFormContentType(contentType)) return { bodyForm: text };
  if (amzJsonVersion(contentType) === undefined && headerValue(headers, 'x-amz-target') === undefined) return {};
  try {
    // Unparsable JSON names no resource: the classifier then uses `*`, which resource-pinned rules never match.
    return { bodyJson: JSON.parse(text) as unknown };
  } catch {
    return {};
  }
}

/** Classifies the call for policy: action and resources (ARNs), from the scope, path, query, headers and small bodies. */
export function classifyCall(input: ClassifyCallInput): ClassifiedCall {
  const { view } = input;
  const info: AwsRequestInfo = {
    method: input.method,
    path: view.path,
    query: input.rawQuery,
    headers: input.headers,
    service: view.service,
    region: view.region,
    ...(input.accountId === undefined ? {} : { accountId: input.accountId }),
    ...parsedBody(input),
  };
  const classification = classifyAwsRequest(info);
  const hashSent = headerValue(input.headers, 'x-amz-content-sha256') !== undefined;
  const payloadSha256 = !hashSent && input.body !== undefined ? sha256Hex(input.body) : undefined;
  return { classification, payloadSha256 };
}

/** One policy item per (action, resource): the pure part lives in shared, where the CLI replays audit lines with it. */
export const itemsOf: (c: AwsClassification) => RequestItem[] = policyItemsOf;

/** The `aws` object of the audit line (no secret: the principal is the role and session name). */
export function auditOf(c: AwsClassification, view: AwsRequestView, principal: Readonly<Record<string, string>>): Record<string, unknown> {
  return {
    service: c.service,
    signingName: view.service,
    region: view.region,
    action: c.action,
    resources: c.resources,
    ...(c.extraActions && c.extraActions.length > 0 ? { extraActions: c.extraActions } : {}),
    ...(view.scope.presigned ? { presigned: true } : {}),
    ...(view.sigV2 ? { signatureVersion: 2 } : {}),
    ...principal,
  };
}
