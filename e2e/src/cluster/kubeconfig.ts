import { stringify } from 'yaml';
import type { KeyPair } from '@portcullis/shared/pki';

const b64 = (pem: string): string => Buffer.from(pem, 'utf8').toString('base64');

/** An admin kubeconfig that authenticates with a client certificate (no token files to leak). */
export function adminKubeconfig(server: string, caPem: string, admin: KeyPair): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'portcullis-e2e', cluster: { server, 'certificate-authority-data': b64(caPem) } }],
    users: [
      {
        name: 'portcullis-e2e-admin',
        user: { 'client-certificate-data': b64(admin.certPem), 'client-key-data': b64(admin.keyPem) },
      },
    ],
    contexts: [{ name: 'portcullis-e2e', context: { cluster: 'portcullis-e2e', user: 'portcullis-e2e-admin' } }],
    'current-context': 'portcullis-e2e',
  });
}
