import { PortcullisError } from '../../errors/portcullis-error.js';

/**
 * A deep copy of JSON-like data (what YAML and the API give): objects, arrays, strings, finite numbers,
 * booleans and null. Anything else is refused with the path where it was found. Keys are defined as own
 * properties (Object.fromEntries), so a "__proto__" key stays data and never becomes a prototype.
 */
export function plainCopy(value: unknown, path = '<root>'): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new PortcullisError('RESOURCE_INVALID', `${path}: ${value} is not a JSON number`);
    return value;
  }
  if (Array.isArray(value)) return Array.from(value as unknown[], (v, i) => plainCopy(v, `${path}[${i}]`));
  if (typeof value === 'object') {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== null && Object.getPrototypeOf(proto) !== null) throw new PortcullisError('RESOURCE_INVALID', `${path}: a ${value.constructor.name} is not plain data`);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainCopy(v, `${path}.${k}`)]));
  }
  throw new PortcullisError('RESOURCE_INVALID', `${path}: a ${typeof value} is not plain data`);
}
