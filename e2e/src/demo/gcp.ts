// The demo's GCP step (issue 17): the sidecar exchanges the pod's projected token at a Google STS stand-in
// that verifies it against this API server's signing key, impersonates a service account, and the Cloud
// Storage client uploads and reads an object through it with no credential of its own.
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { Storage } from '@google-cloud/storage';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { federatedPrincipal, startGoogleStandIn, testPki, type GoogleStandIn } from '@portcullis/sidecar/testing';
import { startGcsUpstream, type GcsUpstream } from '../support/gcs-upstream.js';
import { detail, heading, ok } from './print.js';
import { GROUP } from './world.js';

export const GCS_SOURCE = 'gcs';
const PROVIDER = '//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/demo/providers/local-cluster';
const ACCOUNT = 'reports@demo-project.iam.gserviceaccount.com';

export interface DemoGoogle {
  readonly google: GoogleStandIn;
  readonly gcs: GcsUpstream;
  readonly ca: string;
  /** The audience of the pod token the source presents (Google's default for the provider). */
  readonly tokenAudience: string;
  close(): Promise<void>;
}

/** Google (STS + IAM Credentials) trusting this API server's issuer and key for namespace/agent, and a Cloud Storage stand-in. */
export async function startDemoGoogle(issuer: string, jwk: object, namespace: string): Promise<DemoGoogle> {
  const pki = testPki();
  const keys = createLocalJWKSet({ keys: [jwk] });
  const google = await startGoogleStandIn({
    pki, tokenLifetimeSeconds: 3600,
    providers: [{ name: PROVIDER, issuer }],
    serviceAccounts: [{ email: ACCOUNT, members: [federatedPrincipal(PROVIDER, `system:serviceaccount:${namespace}:agent`)] }],
    verifySubjectToken: async (jwt) => (await jwtVerify(jwt, keys, { issuer, algorithms: ['RS256', 'ES256'] })).payload,
  });
  const gcs = await startGcsUpstream(pki, (t) => google.accessToken(t));
  return { google, gcs, ca: pki.ca.certPem, tokenAudience: `https:${PROVIDER}`, close: async () => void (await Promise.all([google.close(), gcs.close()])) };
}

/** The source `gcs` (preset gcs, workload identity federation, impersonating the reports service account) and a policy for bucket reports. */
export async function createGcpResources(kc: KubeConfig, namespace: string, port: number, d: DemoGoogle): Promise<void> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  await custom.createNamespacedCustomObject({
    ...GROUP, namespace, plural: 'credentialsources',
    body: { apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name: GCS_SOURCE }, spec: { type: 'http', port, http: {
      preset: 'gcs', upstream: d.gcs.url, caBundle: d.ca,
      gcpWorkloadIdentity: { audience: PROVIDER, serviceAccountEmail: ACCOUNT, tokenUrl: d.google.tokenUrl, iamCredentialsUrl: d.google.url, caBundle: d.ca },
    } } },
  });
  await custom.createNamespacedCustomObject({
    ...GROUP, namespace, plural: 'egresspolicies',
    body: { apiVersion: 'portcullis.dev/v1alpha1', kind: 'EgressPolicy', metadata: { name: 'agent-gcs' }, spec: { workloads: { serviceAccounts: ['agent'] }, rules: [{ name: 'reports', effect: 'Allow', source: GCS_SOURCE, methods: ['GET', 'POST'], paths: ['/storage/v1/b/reports/**', '/upload/storage/v1/b/reports/o'] }] } },
  });
}

export async function gcsCalls(port: number, d: DemoGoogle): Promise<void> {
  heading('The app, part 1e: @google-cloud/storage through GCP workload identity federation — no service account key');
  const bucket = new Storage({ apiEndpoint: `http://127.0.0.1:${port}`, projectId: 'demo-project', retryOptions: { autoRetry: false } }).bucket('reports');
  await bucket.file('q3-summary.txt').save('Revenue up 12 %.', { resumable: false, contentType: 'text/plain' });
  const [body] = await bucket.file('q3-summary.txt').download();
  const served = d.gcs.calls.filter((c) => c.status === 200);
  ok(`allowed: upload and download of gs://reports/q3-summary.txt → "${body.toString()}" as ${served[0]?.principal ?? '?'} (the app passed no credential)`);
  const sts = d.google.calls.find((c) => c.service === 'sts' && c.status === 200);
  detail(`Google STS verified the pod token of ${sts?.subject ?? '?'} against this API server's key; IAM Credentials minted a token of ${ACCOUNT} for it`);
}
