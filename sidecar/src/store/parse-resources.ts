import { parseAllDocuments } from 'yaml';
import { API_VERSION, CREDENTIAL_SOURCE_KIND, EGRESS_POLICY_KIND, type CredentialSource, type EgressPolicy } from '@portcullis/shared';

export interface ParsedResources {
  readonly sources: CredentialSource[];
  readonly policies: EgressPolicy[];
}

/**
 * Reads CredentialSource and EgressPolicy documents from YAML text (other kinds, e.g. Secrets in the same
 * file, are skipped). Objects without a namespace get `defaultNamespace`. Throws with the file name on
 * a YAML error or an object of our kinds that lacks a name or spec.
 */
export function parseResources(text: string, file: string, defaultNamespace: string): ParsedResources {
  const sources: CredentialSource[] = [];
  const policies: EgressPolicy[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message ?? 'invalid YAML'}`);
    const obj = doc.toJS() as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string }; spec?: unknown } | null;
    if (!obj || obj.apiVersion !== API_VERSION) continue;
    if (obj.kind !== CREDENTIAL_SOURCE_KIND && obj.kind !== EGRESS_POLICY_KIND) continue;
    if (!obj.metadata?.name || typeof obj.spec !== 'object' || obj.spec === null) {
      throw new Error(`${file}: a ${obj.kind} needs metadata.name and spec`);
    }
    obj.metadata.namespace ??= defaultNamespace;
    if (obj.kind === CREDENTIAL_SOURCE_KIND) sources.push(obj as CredentialSource);
    else policies.push(obj as EgressPolicy);
  }
  return { sources, policies };
}
