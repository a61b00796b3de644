import type { OutgoingHttpHeaders } from 'node:http';
import type { HttpInjection } from '@portcullis/shared';
import type { CredentialCharset } from '../origins/credential-value.js';

/** How one http source injects its secret, compiled once per source change. */
export interface CompiledInjection {
  /** Lower-case header names the injection writes; the app's copies are stripped first. */
  readonly stripHeaders: ReadonlySet<string>;
  /** Query parameter the injection owns; the app's copies are dropped. */
  readonly queryParameter: string | undefined;
  apply(headers: OutgoingHttpHeaders, secret: string): void;
  /** The query string to forward (without `?`), with the credential parameter set when injected by query. */
  query(rawQuery: string, secret: string): string;
}

const passQuery = (rawQuery: string): string => rawQuery;

function decodedName(pair: string): string {
  const eq = pair.indexOf('=');
  const raw = (eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' ');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * The raw query without any `name=` pair (compared decoded, so `%6Bey=` is caught for `key`), keeping the
 * app's own encoding of everything else; ends with `&` when anything is left.
 */
export function withoutParameter(rawQuery: string, name: string): string {
  if (rawQuery === '') return '';
  let out = '';
  for (const pair of rawQuery.split('&')) {
    if (pair === '' || decodedName(pair) === name) continue;
    out += `${pair}&`;
  }
  return out;
}

export function compileInjection(injection: HttpInjection): CompiledInjection {
  switch (injection.type) {
    case 'Bearer':
      return {
        stripHeaders: new Set(['authorization']),
        queryParameter: undefined,
        apply: (h, secret) => void (h.authorization = `Bearer ${secret}`),
        query: passQuery,
      };
    case 'Header': {
      const name = (injection.header?.name ?? '').toLowerCase();
      if (!name) throw new RangeError('injection type Header needs header.name');
      const prefix = injection.header?.prefix ?? '';
      return {
        stripHeaders: new Set([name]),
        queryParameter: undefined,
        apply: (h, secret) => void (h[name] = `${prefix}${secret}`),
        query: passQuery,
      };
    }
    case 'Basic': {
      const username = injection.basic?.username;
      return {
        stripHeaders: new Set(['authorization']),
        queryParameter: undefined,
        apply(h, secret) {
          const pair = username === undefined ? `${secret}:` : `${username}:${secret}`;
          h.authorization = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
        },
        query: passQuery,
      };
    }
    case 'QueryParameter': {
      const param = injection.queryParameter?.name;
      if (!param) throw new RangeError('injection type QueryParameter needs queryParameter.name');
      return {
        stripHeaders: new Set(),
        queryParameter: param,
        apply: () => undefined,
        query: (rawQuery, secret) => `${withoutParameter(rawQuery, param)}${encodeURIComponent(param)}=${encodeURIComponent(secret)}`,
      };
    }
  }
}

/** Which characters a secret may hold for this injection: Basic and query values are encoded, headers are not. */
export function injectionCharset(injection: HttpInjection): CredentialCharset {
  return injection.type === 'Basic' || injection.type === 'QueryParameter' ? 'text' : 'header';
}
