// The checks the API server makes on every object's metadata, whatever the CRD says.

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Errors for metadata.name (a DNS-1123 subdomain) and metadata.namespace (a DNS-1123 label), kubectl's words. */
export function objectMetaErrors(metadata: { name?: unknown; namespace?: unknown }): string[] {
  const out: string[] = [];
  const { name, namespace } = metadata;
  if (typeof name === 'string' && (name.length > 253 || !DNS1123_SUBDOMAIN.test(name))) {
    out.push(
      `metadata.name: Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric ` +
        `characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')`,
    );
  }
  if (typeof namespace === 'string' && (namespace.length > 63 || !DNS1123_LABEL.test(namespace))) {
    out.push(
      `metadata.namespace: Invalid value: ${JSON.stringify(namespace)}: a lowercase RFC 1123 label must consist of lower case ` +
        `alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name')`,
    );
  }
  return out;
}
