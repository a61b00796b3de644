import { ADMISSION_API_VERSION } from './review.js';
import type { JsonPatchOperation } from '../inject/json-diff.js';

export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly patchType?: 'JSONPatch';
  /** base64 of the JSON patch. */
  readonly patch?: string;
  readonly warnings?: string[];
  readonly status?: { readonly code: number; readonly reason: string; readonly message: string };
  readonly auditAnnotations?: Record<string, string>;
}

export interface AdmissionReviewResponse {
  readonly apiVersion: typeof ADMISSION_API_VERSION;
  readonly kind: 'AdmissionReview';
  readonly response: AdmissionResponse;
}

const WARNING_PREFIX = 'portcullis: ';
/** The API server may truncate longer warnings. */
const MAX_WARNING_CHARS = 256;

function warning(text: string): string {
  const full = `${WARNING_PREFIX}${text}`;
  return full.length <= MAX_WARNING_CHARS ? full : `${full.slice(0, MAX_WARNING_CHARS - 1)}…`;
}

export interface Answer {
  readonly allowed: boolean;
  readonly patch: readonly JsonPatchOperation[];
  readonly warnings: readonly string[];
  readonly denial?: { readonly code: number; readonly reason: string; readonly message: string };
  /** Recorded by the API server in its audit log as <webhook name>/<key>. */
  readonly auditAnnotations: Readonly<Record<string, string>>;
}

export function admissionReviewResponse(uid: string, answer: Answer): AdmissionReviewResponse {
  const response: AdmissionResponse = {
    uid,
    allowed: answer.allowed,
    ...(answer.patch.length > 0 ? { patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(answer.patch)).toString('base64') } : {}),
    ...(answer.warnings.length > 0 ? { warnings: answer.warnings.map(warning) } : {}),
    ...(answer.denial ? { status: answer.denial } : {}),
    ...(Object.keys(answer.auditAnnotations).length > 0 ? { auditAnnotations: { ...answer.auditAnnotations } } : {}),
  };
  return { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', response };
}
