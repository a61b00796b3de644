import { PortcullisError, normalizeHost, type HostTarget } from '@portcullis/shared';

const AUTHORITY = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]@/\s]+):(\d{1,5})$/;

function portOf(raw: string, target: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalidTarget(target);
  return port;
}

const invalidTarget = (target: string): PortcullisError =>
  new PortcullisError('EGRESS_TARGET_INVALID', `${JSON.stringify(target.slice(0, 100))} is not a target this proxy serves; CONNECT takes host:port, plain requests an absolute http://host[:port]/path URL`);

/** The `host:port` of a CONNECT request (RFC 9110 authority-form), host normalized. */
export function connectTarget(authority: string): HostTarget {
  const m = AUTHORITY.exec(authority);
  const host = m ? normalizeHost(m[1] as string) : undefined;
  if (!m || host === undefined) throw invalidTarget(authority);
  return { host, port: portOf(m[2] as string, authority) };
}

/** An absolute-form `http://host[:port]/path?query` request target: where it goes and the origin-form path. */
export function absoluteTarget(url: string): HostTarget & { readonly path: string } {
  if (!/^http:\/\//i.test(url)) throw invalidTarget(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidTarget(url);
  }
  // User info in a proxy request is either a mistake or a trick (http://allowed.com@evil.com/).
  if (parsed.username !== '' || parsed.password !== '' || /^http:\/\/[^/]*@/i.test(url)) throw invalidTarget(url);
  const host = normalizeHost(parsed.hostname);
  if (host === undefined) throw invalidTarget(url);
  const port = parsed.port === '' ? 80 : portOf(parsed.port, url);
  return { host, port, path: `${parsed.pathname}${parsed.search}` };
}
