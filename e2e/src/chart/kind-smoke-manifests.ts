// What `make kind-e2e` applies (kind-smoke.ts): a source whose upstream is the webhook's plain-HTTP
// admin port, a policy that allows GET /healthz only, and an opted-in pod. kind-smoke.e2e.test.ts checks
// that the API server accepts them, so the kind path does not rot where there is no Docker.

export const SOURCE_PORT = 18080;
export const POD = 'smoke';

export interface SmokeTarget {
  readonly namespace: string;
  /** The app container's image: the sidecar image, which has node and is already on the nodes. */
  readonly image: string;
  /** http://<webhook service>.<namespace>.svc:<admin port> */
  readonly upstream: string;
}

export function smokeManifests(o: SmokeTarget): object[] {
  const meta = (name: string): object => ({ name, namespace: o.namespace });
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('smoke') },
    { apiVersion: 'v1', kind: 'Secret', metadata: meta('smoke-key'), type: 'Opaque', stringData: { key: 'smoke-test-key-not-a-real-credential' } },
    {
      apiVersion: 'portcullis.dev/v1alpha1',
      kind: 'CredentialSource',
      metadata: meta('webhook-admin'),
      spec: { type: 'http', port: SOURCE_PORT, http: { upstream: o.upstream, allowPlaintextUpstream: true, injection: { type: 'Bearer' }, secretRef: { name: 'smoke-key', key: 'key' } } },
    },
    {
      apiVersion: 'portcullis.dev/v1alpha1',
      kind: 'EgressPolicy',
      metadata: meta('smoke-healthz-only'),
      spec: { workloads: { serviceAccounts: ['smoke'] }, rules: [{ name: 'healthz', effect: 'Allow', source: 'webhook-admin', methods: ['GET'], paths: ['/healthz'] }] },
    },
  ];
}

export function smokePod(o: SmokeTarget): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: POD, namespace: o.namespace, annotations: { 'portcullis.dev/inject': 'true' } },
    spec: {
      serviceAccountName: 'smoke',
      // The app is the sidecar image itself: it has node for the HTTP calls and is already on the nodes.
      containers: [{ name: 'app', image: o.image, command: ['sleep', '3600'], securityContext: { runAsNonRoot: true, runAsUser: 65532, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } } }],
    },
  };
}
