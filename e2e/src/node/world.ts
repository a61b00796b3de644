// The e2e node suite's resources: the chart's values for the locally built images, an app namespace under
// the restricted Pod Security Standard, two sources (S3 on MinIO, an OpenAI stand-in) and one policy.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createCertificateAuthority, issueCertificate } from '@portcullis/shared/pki';
import { json, startUpstream, type Upstream } from '@portcullis/sidecar/testing';
import { IMAGE_REGISTRY } from './layout.js';
import { APP_IMAGE, IMAGE_TAG } from './images/recipes.js';

export const BUCKET = 'pod-reports';
export const CHAT_ANSWER = 'hello, pod: this came through your proxy';
export const OPENAI_KEY = `sk-e2e-node-${randomBytes(12).toString('hex')}`;

/** The chart's values for this node: the images `make images` built, never pulled; everything else default. */
export function chartValues(appNamespace: string): object {
  return {
    imageRegistry: IMAGE_REGISTRY,
    webhook: { image: { tag: IMAGE_TAG, pullPolicy: 'Never' } },
    sidecar: { image: { tag: IMAGE_TAG, pullPolicy: 'Never' }, rbac: { namespaces: [appNamespace] } },
  };
}

/** The restricted Pod Security Standard, enforced: the API server rejects any pod that breaks it. */
export const RESTRICTED = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
};

/** A stand-in for api.openai.com on the pods' gateway: answers chat completions only for the real key. */
export async function startOpenAiStandIn(host: string): Promise<Upstream> {
  const now = new Date();
  const ca = createCertificateAuthority({ commonName: 'e2e-node-upstream-ca', validitySeconds: 3600, now });
  const leaf = issueCertificate(ca, { commonName: host, ipAddresses: [host], usages: ['server'], validitySeconds: 3600, now });
  const authorize = (req: IncomingMessage): boolean => req.headers.authorization === `Bearer ${OPENAI_KEY}`;
  return startUpstream(
    { ca, leaf },
    authorize,
    (req, res) => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return json(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
      req.resume();
      req.on('end', () =>
        json(res, 200, {
          id: 'chatcmpl-e2e-node',
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: 'gpt-4o-mini',
          choices: [{ index: 0, message: { role: 'assistant', content: CHAT_ANSWER }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 4, completion_tokens: 8, total_tokens: 12 },
        }),
      );
    },
    host,
  );
}

export interface MinioPeer {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Secrets, sources and the policy of the app namespace, as YAML documents for `kubectl apply`. */
export function appResources(minio: MinioPeer, upstream: Upstream): object[] {
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'agent' } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'minio-keys' },
      stringData: { AWS_ACCESS_KEY_ID: minio.accessKeyId, AWS_SECRET_ACCESS_KEY: minio.secretAccessKey },
    },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'openai-api-key' }, stringData: { 'api-key': OPENAI_KEY } },
    {
      apiVersion: 'portcullis.dev/v1alpha1',
      kind: 'CredentialSource',
      metadata: { name: 's3' },
      spec: {
        type: 'aws',
        port: 15001,
        aws: { endpoint: minio.endpoint, allowPlaintextEndpoint: true, staticKeys: { secretRef: { name: 'minio-keys' } } },
        env: [{ name: 'AWS_REGION', value: minio.region }],
      },
    },
    {
      apiVersion: 'portcullis.dev/v1alpha1',
      kind: 'CredentialSource',
      metadata: { name: 'openai' },
      spec: {
        type: 'http',
        port: 15002,
        http: { preset: 'openai', upstream: upstream.url, caBundle: upstream.ca.certPem, secretRef: { name: 'openai-api-key', key: 'api-key' } },
      },
    },
    {
      apiVersion: 'portcullis.dev/v1alpha1',
      kind: 'EgressPolicy',
      metadata: { name: 'agent' },
      spec: {
        workloads: { serviceAccounts: ['agent'] },
        rules: [
          { name: 'reports', effect: 'Allow', source: 's3', actions: ['s3:PutObject', 's3:GetObject'], resources: [`arn:aws:s3:::${BUCKET}/*`] },
          { name: 'chat', effect: 'Allow', source: 'openai', methods: ['POST'], paths: ['/v1/chat/completions'] },
        ],
      },
    },
  ];
}

/** Restricted-compliant settings of an app container (the pod's own part; the webhook adds the proxy's). */
const appSecurity = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

function podSpec(container: object): object {
  return {
    serviceAccountName: 'agent',
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{ name: 'app', image: APP_IMAGE, imagePullPolicy: 'Never', securityContext: appSecurity, ...container }],
  };
}

const injected = { 'portcullis.dev/inject': 'true' };

/** The Job: the app writes and reads an object in MinIO and asks the OpenAI stand-in, then exits. */
export function appJob(name: string): object {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: 600,
      template: {
        metadata: { annotations: injected, labels: { app: name } },
        spec: { ...podSpec({ env: [{ name: 'E2E_BUCKET', value: BUCKET }] }), restartPolicy: 'Never' },
      },
    },
  };
}

/** A pod whose app idles (and exits on SIGTERM), for exec and deletion. */
export function idlePod(name: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    // The finalizer holds the deleted pod's object until the test has read its containers' final states.
    metadata: { name, annotations: injected, finalizers: ['portcullis.dev/e2e-hold'] },
    spec: {
      ...podSpec({ command: ['node', '-e', "process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1 << 30);"] }),
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 20,
    },
  };
}

/**
 * Run inside the app container by `kubectl exec … node -e`: tries to read each of the proxy's mount paths,
 * and reads every regular file of the container's file system (not /proc, /sys, /dev), reporting any that
 * holds one of the secret values and the audiences of any service-account token it finds.
 */
export const BREAK_IN_SCRIPT = `
const fs = require('fs');
const secrets = JSON.parse(process.argv[1]);
const paths = JSON.parse(process.argv[2]);
const out = { paths: {}, found: [], audiences: [], filesRead: 0 };
for (const p of paths) {
  try { fs.readdirSync(p); out.paths[p] = 'readable'; } catch (e) { out.paths[p] = e.code; }
}
const walk = (dir) => {
  let entries = [];
  try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
  for (const e of entries) {
    const p = (dir === '/' ? '' : dir) + '/' + e.name;
    if (['/proc', '/sys', '/dev'].includes(p)) continue;
    if (e.isDirectory()) { walk(p); continue; }
    if (!e.isFile()) continue;
    let text;
    try { text = fs.readFileSync(p, 'latin1'); } catch { continue; }
    out.filesRead++;
    for (const s of secrets) if (text.includes(s)) out.found.push(p);
    for (const m of text.matchAll(/eyJ[A-Za-z0-9_-]+\\.(eyJ[A-Za-z0-9_-]+)\\.[A-Za-z0-9_-]+/g)) {
      try { out.audiences.push(...[].concat(JSON.parse(Buffer.from(m[1], 'base64url').toString()).aud)); } catch {}
    }
  }
};
walk('/');
console.log(JSON.stringify(out));
`;
