/**
 * Turns an AWS request into `{ service, action, resources, extraActions }` for the policy engine.
 *
 * Dispatch, in order: S3 signing names → S3 REST rules; `X-Amz-Target` → JSON protocol; `Action=` in the
 * query or form body → query protocol; otherwise the REST rows. A request that fits none, or fits two
 * (a target *and* an Action), throws AWS_UNCLASSIFIED_REQUEST: what cannot be named cannot be allowed.
 *
 * Bodies are never read here. The caller passes what it parsed from small bodies: `bodyForm` for form
 * posts (required: a form post without it is refused, since its Action would be unknown), `bodyJson`
 * for JSON protocols (optional: without it resources are `*`), `deleteObjects` for S3 DeleteObjects
 * (optional: without it the resource is `arn:aws:s3:::bucket/*`).
 */
import { classifyJson } from './json.js';
import { classifyQuery, hasActionParameter } from './query.js';
import { classifyRest } from './rest.js';
import { classifyS3 } from './s3.js';
import { isFormContentType, type AwsClassification, type AwsRequestInfo } from './types.js';
import { AwsProtocolError } from '../errors/protocol-error.js';
import { headerValue } from '../request/headers.js';

const S3_SIGNING_NAMES = new Set(['s3', 's3-outposts', 's3express']);

function unclassified(info: AwsRequestInfo, detail: string): AwsProtocolError {
  return new AwsProtocolError('AWS_UNCLASSIFIED_REQUEST', `${info.method} ${info.path.slice(0, 128)} for ${info.service}: ${detail}`);
}

export function classifyAwsRequest(info: AwsRequestInfo): AwsClassification {
  if (S3_SIGNING_NAMES.has(info.service)) return classifyS3(info);
  const form = isFormContentType(headerValue(info.headers, 'content-type'));
  if (form && info.bodyForm === undefined) throw unclassified(info, 'form body not supplied (too large?), so its Action is unknown');
  const target = headerValue(info.headers, 'x-amz-target') !== undefined;
  const action = hasActionParameter(info);
  if (target && (action || form)) throw unclassified(info, 'both X-Amz-Target and a form/Action are present');
  if (target) return classifyJson(info);
  if (action) return classifyQuery(info);
  if (form) throw unclassified(info, 'form body without Action');
  const rest = classifyRest(info);
  if (rest === undefined) throw unclassified(info, 'no classifier row matches');
  return rest;
}
