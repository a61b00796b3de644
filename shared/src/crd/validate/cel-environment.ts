import { Environment } from '@marcbachmann/cel-js';

const hasControl = (s: string): boolean => [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * Kubernetes' `isURL` (its CEL url library): true when Go's url.ParseRequestURI accepts the string, i.e. an
 * absolute URI or an absolute path. cel-js lacks the Kubernetes libraries, so it is implemented here with
 * WHATWG URL parsing plus the checks Go makes that WHATWG does not (control characters, bad escapes).
 */
export function isUrl(value: string): boolean {
  if (hasControl(value) || BAD_ESCAPE.test(value)) return false;
  if (value.startsWith('/')) return true;
  if (!SCHEME.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * The CEL environment of x-kubernetes-validations: `self` and `oldSelf`, optional types (`self.?x`),
 * the strings extension cel-js has built in (lowerAscii, …) and Kubernetes' isURL. A rule that needs
 * anything else fails the type check when the validator is built, so no rule is skipped silently.
 */
export function kubernetesCelEnvironment(): Environment {
  return new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: false })
    .registerVariable('self', 'dyn')
    .registerVariable('oldSelf', 'dyn')
    .registerFunction('isURL(string): bool', isUrl);
}
