import { parseAllDocuments, type Document } from 'yaml';
import { GROUP, type EgressPolicy, type ResourceValidator, type Valid } from '@portcullis/shared';
import { CliError } from '../errors.js';

export interface PolicyFile {
  readonly name: string;
  readonly text: string;
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

/** The EgressPolicy of one YAML document, validated; undefined for other kinds (CredentialSources, Secrets, empty documents). */
function policyOf(doc: Document, where: string, validator: ResourceValidator, defaultNamespace: string): Valid<EgressPolicy> | undefined {
  const obj = doc.toJS() as unknown;
  if (obj === null || obj === undefined) return undefined;
  if (typeof obj !== 'object' || Array.isArray(obj)) throw new CliError('POLICY_FILE_INVALID', `${where}: not a Kubernetes object (a YAML mapping with apiVersion and kind)`);
  const { apiVersion, kind, metadata } = obj as { apiVersion?: unknown; kind?: unknown; metadata?: unknown };
  if (typeof apiVersion !== 'string' || !apiVersion.startsWith(`${GROUP}/`) || kind === 'CredentialSource') return undefined;
  if (kind !== 'EgressPolicy') throw new CliError('POLICY_FILE_INVALID', `${where}: no kind ${JSON.stringify(kind)} is known in ${apiVersion}; use EgressPolicy`);
  if (typeof metadata === 'object' && metadata !== null && (metadata as { namespace?: unknown }).namespace === undefined) {
    (metadata as { namespace?: string }).namespace = defaultNamespace;
  }
  const result = validator.validate('EgressPolicy', obj);
  if (!result.ok) throw new CliError('POLICY_FILE_INVALID', `${where}: ${result.message}`);
  return result.object;
}

/**
 * Candidate EgressPolicies from YAML files, each validated with the CRD's own schema and CEL rules (the
 * validators the sidecar runs). Other kinds (CredentialSources, Secrets, …) are passed over; a document of
 * our group that is not one of our kinds, or any invalid policy, stops with the file, document and field.
 * A policy without a namespace gets `defaultNamespace`, as `kubectl apply -n` would.
 */
export function loadPolicies(files: readonly PolicyFile[], validator: ResourceValidator, defaultNamespace: string): Valid<EgressPolicy>[] {
  const policies: Valid<EgressPolicy>[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const docs = parseAllDocuments(file.text, { prettyErrors: false });
    for (const [index, doc] of (Array.isArray(docs) ? docs : []).entries()) {
      const error = doc.errors[0];
      if (error) throw new CliError('POLICY_FILE_INVALID', `${file.name}:${lineOf(file.text, error.pos[0])}: not YAML: ${error.message}`);
      const policy = policyOf(doc, `${file.name}: document ${index + 1}`, validator, defaultNamespace);
      if (!policy) continue;
      const key = `${policy.metadata.namespace ?? ''}/${policy.metadata.name ?? ''}`;
      if (seen.has(key)) throw new CliError('POLICY_FILE_INVALID', `${file.name}: document ${index + 1}: EgressPolicy ${key} is defined twice in the candidate files; keep one`);
      seen.add(key);
      policies.push(policy);
    }
  }
  return policies;
}
