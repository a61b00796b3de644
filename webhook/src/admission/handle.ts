import { PortcullisError, type CredentialSource } from '@portcullis/shared';
import type { InjectorConfig } from '../inject/config.js';
import { planInjection, type InjectionReason, type InjectionResult } from '../inject/patch.js';
import { admissionReviewResponse, type AdmissionReviewResponse } from './respond.js';
import { podOf, type AdmissionRequest } from './review.js';

/** An Event to record about a pod (never for dry-run requests: they must have no side effects). */
export interface PodEvent {
  readonly namespace: string;
  /** The pod's name, or its generateName prefix when the name is not assigned yet. */
  readonly podName: string;
  readonly reason: string;
  readonly message: string;
}

export interface AdmitDeps {
  readonly sourcesIn: (namespace: string) => readonly CredentialSource[] | undefined;
  readonly config: InjectorConfig;
}

export interface Admission {
  readonly review: AdmissionReviewResponse;
  readonly result: Exclude<InjectionResult, 'unavailable'>;
  readonly reason: InjectionReason | 'NotPodCreate';
  readonly message: string;
  readonly sources: readonly string[];
  readonly events: readonly PodEvent[];
}

/**
 * Answers one admission request. Throws SOURCES_NOT_SYNCED when the pod needs the source cache and it
 * is not loaded yet: the server answers 503 and the API server applies the webhook's failurePolicy.
 */
export function admit(req: AdmissionRequest, deps: AdmitDeps): Admission {
  const pod = podOf(req);
  if (!pod) {
    const review = admissionReviewResponse(req.uid, { allowed: true, patch: [], warnings: [], auditAnnotations: {} });
    return { review, result: 'skipped', reason: 'NotPodCreate', message: 'not a pod CREATE', sources: [], events: [] };
  }
  const namespace = req.namespace || pod.metadata?.namespace || '';
  const plan = planInjection({ pod, namespace, sourcesIn: deps.sourcesIn, config: deps.config });
  if (plan.result === 'unavailable') {
    throw new PortcullisError('SOURCES_NOT_SYNCED', 'the webhook has not loaded the CredentialSources yet; the API server applies the failurePolicy, retry in a few seconds');
  }
  const auditAnnotations = { result: plan.result, reason: plan.reason };
  const denied = plan.result === 'denied';
  const review = admissionReviewResponse(req.uid, {
    allowed: !denied,
    patch: plan.patch,
    warnings: plan.warnings,
    ...(denied ? { denial: { code: 403, reason: 'Forbidden', message: `portcullis: ${plan.message}` } } : {}),
    auditAnnotations,
  });
  const podName = pod.metadata?.name || req.name || pod.metadata?.generateName || '';
  const events: PodEvent[] =
    plan.unknownSources.length > 0 && !req.dryRun
      ? [{ namespace, podName, reason: 'SourceNotFound', message: `${denied ? 'rejected' : 'injected without'} CredentialSource ${plan.unknownSources.join(', ')}: not found in namespace ${namespace}; create it or fix the portcullis.dev/sources annotation` }]
      : [];
  return { review, result: plan.result, reason: plan.reason, message: plan.message, sources: plan.sources, events };
}
