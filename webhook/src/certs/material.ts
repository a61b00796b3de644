import type { KeyPair } from '@portcullis/shared/pki';

/** Everything the webhook's TLS needs, as kept in its Secret. */
export interface CertMaterial {
  /** The CA that signs new serving certificates. */
  readonly ca: KeyPair;
  /** Every CA the API server must trust (caBundle): the current one first, then older ones until they expire. */
  readonly caBundlePem: string;
  /** The serving certificate and key. */
  readonly leaf: KeyPair;
  /** When `ca` became the current CA: serving certificates move to it a propagation delay later. */
  readonly caRotatedAt: Date;
}

export const SECRET_KEYS = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  caBundle: 'ca-bundle.crt',
  cert: 'tls.crt',
  key: 'tls.key',
} as const;

export const CA_ROTATED_AT_ANNOTATION = 'portcullis.dev/ca-rotated-at';

export interface SecretContent {
  readonly type: 'kubernetes.io/tls';
  /** base64 values, as in a Secret's data. */
  readonly data: Record<string, string>;
  readonly annotations: Record<string, string>;
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (text: string | undefined): string | undefined => (text === undefined ? undefined : Buffer.from(text, 'base64').toString('utf8'));

export function secretFromMaterial(m: CertMaterial): SecretContent {
  return {
    type: 'kubernetes.io/tls',
    data: {
      [SECRET_KEYS.caCert]: b64(m.ca.certPem),
      [SECRET_KEYS.caKey]: b64(m.ca.keyPem),
      [SECRET_KEYS.caBundle]: b64(m.caBundlePem),
      [SECRET_KEYS.cert]: b64(m.leaf.certPem),
      [SECRET_KEYS.key]: b64(m.leaf.keyPem),
    },
    annotations: { [CA_ROTATED_AT_ANNOTATION]: m.caRotatedAt.toISOString() },
  };
}

/** The material in a Secret's data, or undefined when a part is missing (the planner then starts over). */
export function materialFromSecret(data: Readonly<Record<string, string>> | undefined, annotations: Readonly<Record<string, string>> | undefined): CertMaterial | undefined {
  const get = (key: string): string | undefined => unb64(data?.[key]);
  const caCert = get(SECRET_KEYS.caCert);
  const caKey = get(SECRET_KEYS.caKey);
  const cert = get(SECRET_KEYS.cert);
  const key = get(SECRET_KEYS.key);
  if (!caCert || !caKey || !cert || !key) return undefined;
  const rotatedAt = new Date(annotations?.[CA_ROTATED_AT_ANNOTATION] ?? 0);
  return {
    ca: { certPem: caCert, keyPem: caKey },
    caBundlePem: get(SECRET_KEYS.caBundle) ?? caCert,
    leaf: { certPem: cert, keyPem: key },
    caRotatedAt: Number.isNaN(rotatedAt.getTime()) ? new Date(0) : rotatedAt,
  };
}
