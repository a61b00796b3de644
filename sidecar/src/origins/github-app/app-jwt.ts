import { createPrivateKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose/jwt/sign';
import { PortcullisError } from '@portcullis/shared';

/**
 * GitHub's rules for the app JWT: `iat` 60 s in the past (GitHub's own advice against clock drift), `exp`
 * at most 10 minutes after `iat`; 9 minutes here leaves a minute for a node clock running slow.
 */
export const APP_JWT_BACKDATE_SECONDS = 60;
export const APP_JWT_LIFETIME_SECONDS = 9 * 60;

/** The App's private key from its PEM (GitHub hands out PKCS#1 "RSA PRIVATE KEY"; PKCS#8 works too). */
export function appPrivateKey(pem: string, where: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new PortcullisError('GITHUB_APP_KEY_INVALID', `${where} is not a PEM private key; put the .pem file GitHub generated for the App into the Secret`, { cause: err });
  }
  if (key.asymmetricKeyType !== 'rsa') throw new PortcullisError('GITHUB_APP_KEY_INVALID', `${where} is a ${key.asymmetricKeyType ?? 'non-asymmetric'} key; GitHub Apps sign with RSA (RS256)`);
  return key;
}

/** The JWT that authenticates as the App (RS256, iss = App ID or client ID). */
export function appJwt(appId: string, key: KeyObject, nowSeconds: number): Promise<string> {
  const iat = nowSeconds - APP_JWT_BACKDATE_SECONDS;
  return new SignJWT({}).setProtectedHeader({ alg: 'RS256', typ: 'JWT' }).setIssuer(appId).setIssuedAt(iat).setExpirationTime(iat + APP_JWT_LIFETIME_SECONDS).sign(key);
}
