/** Request headers as Node delivers them: lowercase names, repeated headers as arrays. */
export type HeaderMap = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * The value of a header by lowercase name; repeated values are joined with `,` (RFC 9110 §5.3), which is
 * also how SigV4 canonicalizes them. Undefined when absent.
 */
export function headerValue(headers: HeaderMap, name: string): string | undefined {
  const value = Object.hasOwn(headers, name) ? headers[name] : undefined;
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.join(',');
}
