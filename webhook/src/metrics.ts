import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Webhook metrics on their own registry; every label value comes from a fixed set. */
export interface WebhookMetrics {
  readonly registry: Registry;
  /** result: injected, unchanged, skipped, denied, unavailable, error; reason: InjectionReason or an error code. */
  readonly admissions: Counter<'result' | 'reason' | 'dry_run'>;
  readonly admissionDuration: Histogram<'result'>;
  readonly certificateExpiry: Gauge<'certificate'>;
  readonly certificateRotations: Counter<'reason'>;
  readonly certificateErrors: Counter<'operation'>;
  readonly tlsReloads: Counter;
  readonly leader: Gauge;
  readonly informerConnects: Counter<'resource'>;
  readonly informerErrors: Counter<'resource'>;
  readonly statusUpdates: Counter<'kind' | 'result'>;
  readonly events: Counter<'result'>;
  /** kind: role, rolebinding; action: create, update, recreate, delete, foreign (left alone); result: ok. */
  readonly podRoleWrites: Counter<'kind' | 'action' | 'result'>;
  /** Failed attempts of the pod-role controller, by operation (ensure, delete). */
  readonly podRoleErrors: Counter<'operation'>;
}

const ADMISSION_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const P = 'portcullis_webhook_';

export function createMetrics(opts: { defaultMetrics: boolean }): WebhookMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: P });
  const registers = [registry];
  return {
    registry,
    admissions: new Counter({
      name: `${P}admissions_total`,
      help: 'Admission reviews answered, by result (injected, unchanged, skipped, denied, unavailable, error), reason and dry_run',
      labelNames: ['result', 'reason', 'dry_run'],
      registers,
    }),
    admissionDuration: new Histogram({
      name: `${P}admission_duration_seconds`,
      help: 'Time from receiving an AdmissionReview to the end of the answer',
      labelNames: ['result'],
      buckets: ADMISSION_BUCKETS_SECONDS,
      registers,
    }),
    certificateExpiry: new Gauge({
      name: `${P}certificate_expiry_timestamp_seconds`,
      help: 'notAfter of the certificate being served (serving) and of its CA (ca), as a Unix time',
      labelNames: ['certificate'],
      registers,
    }),
    certificateRotations: new Counter({
      name: `${P}certificate_rotations_total`,
      help: 'Certificate material written by this replica, by reason (Created, CaRotated, LeafRenewed, ...)',
      labelNames: ['reason'],
      registers,
    }),
    certificateErrors: new Counter({
      name: `${P}certificate_errors_total`,
      help: 'Failures while reading, writing or publishing certificates, by operation',
      labelNames: ['operation'],
      registers,
    }),
    tlsReloads: new Counter({ name: `${P}tls_reloads_total`, help: 'Serving certificates loaded into the TLS server', registers }),
    leader: new Gauge({ name: `${P}leader`, help: '1 while this replica holds the Lease (writes certificates and status)', registers }),
    informerConnects: new Counter({
      name: `${P}informer_connects_total`,
      help: 'Watch connections opened, by resource',
      labelNames: ['resource'],
      registers,
    }),
    informerErrors: new Counter({
      name: `${P}informer_errors_total`,
      help: 'List or watch failures, by resource',
      labelNames: ['resource'],
      registers,
    }),
    statusUpdates: new Counter({
      name: `${P}status_updates_total`,
      help: 'Status writes of CredentialSources and EgressPolicies, by kind and result (ok, error)',
      labelNames: ['kind', 'result'],
      registers,
    }),
    events: new Counter({
      name: `${P}events_total`,
      help: 'Kubernetes Events about pods, by result (sent, failed, dropped)',
      labelNames: ['result'],
      registers,
    }),
    podRoleWrites: new Counter({
      name: `${P}pod_role_writes_total`,
      help: 'Per-pod kill-switch Roles and RoleBindings written, by kind, action (create, update, recreate, delete, foreign) and result',
      labelNames: ['kind', 'action', 'result'],
      registers,
    }),
    podRoleErrors: new Counter({
      name: `${P}pod_role_errors_total`,
      help: 'Failed attempts of the pod-role controller, by operation (ensure, delete)',
      labelNames: ['operation'],
      registers,
    }),
  };
}
