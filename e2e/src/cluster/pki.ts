import { generateKeyPairSync } from 'node:crypto';
import { createCertificateAuthority, issueCertificate, type KeyPair } from '@portcullis/shared/pki';

/** Every key and certificate a loopback control plane needs. */
export interface ControlPlanePki {
  readonly ca: KeyPair;
  readonly apiserver: KeyPair;
  readonly admin: KeyPair;
  /** The API server's client certificate towards kubelets (logs, exec). */
  readonly kubeletClient: KeyPair;
  /** Service-account token signing key (PKCS#8 PEM) and its public half (SPKI PEM). */
  readonly serviceAccount: { readonly privatePem: string; readonly publicPem: string };
}

const YEAR_SECONDS = 365 * 24 * 3600;

/** ClusterIP of the `kubernetes` Service (first address of --service-cluster-ip-range): pods reach the API server there. */
export const KUBERNETES_SERVICE_IP = '10.96.0.1';

export function generateControlPlanePki(now: Date): ControlPlanePki {
  const ca = createCertificateAuthority({ commonName: 'portcullis-e2e-ca', validitySeconds: YEAR_SECONDS, now });
  const apiserver = issueCertificate(ca, {
    commonName: 'kube-apiserver',
    dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'],
    ipAddresses: ['127.0.0.1', '::1', KUBERNETES_SERVICE_IP],
    usages: ['server'],
    validitySeconds: YEAR_SECONDS,
    now,
  });
  // system:masters is the built-in group that RBAC always authorizes: the e2e admin.
  const admin = issueCertificate(ca, {
    commonName: 'portcullis-e2e-admin',
    organizations: ['system:masters'],
    usages: ['client'],
    validitySeconds: YEAR_SECONDS,
    now,
  });
  // The kubelet authorizes the API server's calls (logs, exec) by this identity (e2e node, docs/e2e-node.md).
  const kubeletClient = issueCertificate(ca, {
    commonName: 'kube-apiserver-kubelet-client',
    organizations: ['system:masters'],
    usages: ['client'],
    validitySeconds: YEAR_SECONDS,
    now,
  });
  const sa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    ca,
    apiserver,
    admin,
    kubeletClient,
    serviceAccount: {
      privatePem: sa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      publicPem: sa.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    },
  };
}
