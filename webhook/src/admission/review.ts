import type { V1Pod } from '@kubernetes/client-node';
import { PortcullisError } from '@portcullis/shared';

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';

/** The fields of an AdmissionReview v1 request the webhook uses. */
export interface AdmissionRequest {
  readonly uid: string;
  readonly resource: { readonly group: string; readonly version: string; readonly resource: string };
  readonly subResource: string | undefined;
  readonly name: string | undefined;
  readonly namespace: string;
  readonly operation: string;
  readonly dryRun: boolean;
  readonly object: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

const invalid = (what: string): PortcullisError =>
  new PortcullisError('ADMISSION_REVIEW_INVALID', `not an AdmissionReview ${ADMISSION_API_VERSION}: ${what}; configure the webhook with admissionReviewVersions: ["v1"]`);

/** Checks the shape of a decoded AdmissionReview body; throws ADMISSION_REVIEW_INVALID. */
export function parseAdmissionReview(body: unknown): AdmissionRequest {
  if (!isRecord(body)) throw invalid('the body is not a JSON object');
  if (body.apiVersion !== ADMISSION_API_VERSION || body.kind !== 'AdmissionReview') {
    throw invalid(`got apiVersion ${JSON.stringify(body.apiVersion)} kind ${JSON.stringify(body.kind)}`);
  }
  const req = body.request;
  if (!isRecord(req)) throw invalid('request is missing');
  const uid = str(req.uid);
  if (!uid) throw invalid('request.uid is missing');
  const resource = isRecord(req.resource) ? req.resource : {};
  return {
    uid,
    resource: { group: str(resource.group) ?? '', version: str(resource.version) ?? '', resource: str(resource.resource) ?? '' },
    subResource: str(req.subResource) || undefined,
    name: str(req.name) || undefined,
    namespace: str(req.namespace) ?? '',
    operation: str(req.operation) ?? '',
    dryRun: req.dryRun === true,
    object: req.object,
  };
}

/** The request's object as a pod when it is a pod CREATE; undefined for anything else. */
export function podOf(req: AdmissionRequest): V1Pod | undefined {
  const isPodCreate = req.resource.group === '' && req.resource.resource === 'pods' && req.subResource === undefined && req.operation === 'CREATE';
  return isPodCreate && isRecord(req.object) ? (req.object) : undefined;
}
