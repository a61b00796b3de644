import { importPKCS8 } from 'jose';
import * as oauth from 'oauth4webapi';
import { PortcullisError, type OAuth2SigningAlgorithm, type ResolvedOAuth2ClientAuth } from '@portcullis/shared';

/** The client secret or private key: the file of the source's Secret volume, read at every mint (the kubelet updates it). */
export type ReadSecret = () => Promise<string>;

/** The key type each assertion algorithm takes (for the message when the key does not fit). */
const ALGORITHMS: Readonly<Record<OAuth2SigningAlgorithm, string>> = { RS256: 'rsa', PS256: 'rsa', ES256: 'ec:P-256', ES384: 'ec:P-384', EdDSA: 'ed25519' };

async function importKey(pem: string, alg: OAuth2SigningAlgorithm | undefined, what: string): Promise<{ key: oauth.CryptoKey; alg: OAuth2SigningAlgorithm }> {
  if (!pem.includes('-----BEGIN PRIVATE KEY-----')) {
    throw new PortcullisError('OAUTH2_CLIENT_KEY_INVALID', `${what} is not a PEM PKCS#8 private key (-----BEGIN PRIVATE KEY-----); convert it with openssl pkcs8 -topk8 -nocrypt`);
  }
  const candidates: OAuth2SigningAlgorithm[] = alg ? [alg] : ['RS256', 'ES256', 'ES384', 'EdDSA'];
  for (const candidate of candidates) {
    try {
      return { key: await importPKCS8(pem, candidate, { extractable: false }), alg: candidate };
    } catch {
      // not this type of key: try the next
    }
  }
  const expected = alg ? ` of type ${ALGORITHMS[alg]} for ${alg}` : ' (RSA, P-256, P-384 or Ed25519)';
  throw new PortcullisError('OAUTH2_CLIENT_KEY_INVALID', `${what} is not a private key${expected}; fix the Secret or oauth2.clientAuthentication.signingAlgorithm`);
}

/**
 * The oauth4webapi client authentication of one mint: the secret or key is read from its file each time
 * (a rotated Secret takes effect at the next mint) and never kept beyond the request.
 * PrivateKeyJwt assertions carry both the issuer and the token endpoint in `aud` (RFC 7523 3 allows
 * either; Hydra checks the token endpoint, newer servers the issuer), and a fresh `jti` each.
 */
export async function clientAuthentication(spec: ResolvedOAuth2ClientAuth, readSecret: ReadSecret, tokenEndpoint: string, what: string): Promise<oauth.ClientAuth> {
  if (spec.method === 'none') return oauth.None();
  const value = (await readSecret()).trim();
  if (value === '') throw new PortcullisError('OAUTH2_CLIENT_KEY_INVALID', `${what}: the client ${spec.method === 'private_key_jwt' ? 'key' : 'secret'} in Secret ${spec.secretName} key ${spec.secretKey} is empty`);
  if (spec.method !== 'private_key_jwt') return spec.method === 'client_secret_basic' ? oauth.ClientSecretBasic(value) : oauth.ClientSecretPost(value);
  const { key } = await importKey(value, spec.signingAlgorithm, `${what}: Secret ${spec.secretName} key ${spec.secretKey}`);
  return oauth.PrivateKeyJwt(spec.keyId !== undefined ? { key, kid: spec.keyId } : { key }, {
    [oauth.modifyAssertion]: (header, payload) => {
      // oauth4webapi names the algorithm after the key (Ed25519); servers know it as EdDSA (RFC 8037).
      if (header.alg === 'Ed25519') header.alg = 'EdDSA';
      const issuer = typeof payload.aud === 'string' ? payload.aud : undefined;
      payload.aud = issuer !== undefined && issuer !== tokenEndpoint ? [issuer, tokenEndpoint] : tokenEndpoint;
    },
  });
}
