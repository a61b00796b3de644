import type { AuditLine } from '../audit/line.js';

/** OCSF version the rendering follows (API Activity, class 6003). */
export const OCSF_VERSION = '1.3.0';

const ACTIVITIES: Readonly<Record<string, [number, string]>> = {
  POST: [1, 'Create'],
  GET: [2, 'Read'],
  HEAD: [2, 'Read'],
  PUT: [3, 'Update'],
  PATCH: [3, 'Update'],
  DELETE: [4, 'Delete'],
};

function who(w: AuditLine['workload']): Record<string, unknown> {
  if (!w) return { actor: { user: { name: 'unverified', type: 'Unknown' } }, src_endpoint: { name: 'unknown' } };
  return {
    actor: { user: { name: `system:serviceaccount:${w.namespace}:${w.serviceAccount}`, type: 'Service Account', uid: w.podUID }, app_name: w.pod },
    src_endpoint: { name: w.pod, uid: w.podUID, namespace: w.namespace },
  };
}

function what(line: AuditLine): Record<string, unknown> {
  const aws = line.aws;
  return {
    dst_endpoint: { hostname: line.host ?? 'unknown' },
    api: {
      operation: aws?.action ?? `${line.method} ${line.path}`,
      service: { name: line.source ?? 'unknown' },
      request: { uid: line.requestId },
      response: { code: line.status, ...(line.error ? { error: line.error } : {}) },
    },
    http_request: { http_method: line.method, url: { hostname: line.host ?? '', path: line.path, query_string: line.query } },
    ...(aws ? { resources: aws.resources.map((uid) => ({ uid, type: aws.service })) } : {}),
  };
}

/** One audit line as an OCSF API Activity event (class_uid 6003) for SIEMs; the Portcullis decision goes in `unmapped`. */
export function toOcsfApiActivity(line: AuditLine): Record<string, unknown> {
  const [activityId, activityName] = ACTIVITIES[line.method] ?? [99, 'Other'];
  const ok = line.decision.forwarded && line.status < 400 && line.error === null;
  const w = line.workload;
  return {
    class_uid: 6003,
    class_name: 'API Activity',
    category_uid: 6,
    category_name: 'Application Activity',
    activity_id: activityId,
    activity_name: activityName,
    type_uid: 600300 + activityId,
    type_name: `API Activity: ${activityName}`,
    severity_id: line.decision.effect === 'Deny' ? 3 : 1,
    time: Date.parse(line.time),
    status_id: ok ? 1 : 2,
    status: ok ? 'Success' : 'Failure',
    status_code: String(line.status),
    ...(line.error ? { status_detail: line.error } : {}),
    message: `${line.decision.effect ?? 'No decision'}: ${line.method} ${line.path}${line.aws ? ` (${line.aws.action})` : ''}`,
    metadata: { version: OCSF_VERSION, uid: line.requestId, log_name: 'portcullis-audit', product: { name: 'Portcullis', vendor_name: 'Portcullis', feature: { name: 'sidecar' } } },
    ...who(w),
    ...what(line),
    duration: line.durationMs,
    unmapped: { portcullis_decision: line.decision, portcullis_schema_version: line.schemaVersion ?? null },
  };
}
