import { parseAllDocuments } from 'yaml';
import { GROUP, type ResourceKind, type ResourceValidator } from '@portcullis/shared';
import { candidateOf, type Candidate } from './candidates.js';
import type { Rejection } from './last-known-good.js';

export interface ParsedFile {
  /** Every CredentialSource and EgressPolicy in the file, each validated on its own. */
  readonly candidates: readonly Candidate[];
  /** Documents that claim our API group but are not one of our kinds (a misspelt kind must not vanish quietly). */
  readonly problems: readonly Rejection[];
}

const KINDS: ReadonlySet<string> = new Set<ResourceKind>(['CredentialSource', 'EgressPolicy']);

/** Thrown when a file is not YAML; the message names the file, line and column but never quotes the text. */
export class YamlSyntaxError extends Error {
  override readonly name = 'YamlSyntaxError';
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}

function fileProblem(file: string, message: string): Rejection {
  return { kind: 'file', key: undefined, origin: file, field: undefined, message };
}

/**
 * Reads CredentialSource and EgressPolicy documents from YAML text (other kinds, e.g. Secrets in the same
 * file, are skipped) and validates each one alone against its CRD. Objects without a namespace get
 * `defaultNamespace`. Throws YamlSyntaxError when the text is not YAML: then nothing in the file can be
 * trusted, and the caller keeps what the file held before.
 */
export function parseResources(text: string, file: string, defaultNamespace: string, validator: ResourceValidator): ParsedFile {
  const candidates: Candidate[] = [];
  const problems: Rejection[] = [];
  // prettyErrors off: its message quotes the offending line, which could be a Secret's data in the same file.
  const docs = parseAllDocuments(text, { prettyErrors: false });
  const docList = Array.isArray(docs) ? docs : [];
  for (const [index, doc] of docList.entries()) {
    const error = doc.errors[0];
    if (error) throw new YamlSyntaxError(`${file}:${lineAndColumn(text, error.pos[0])}: ${error.message}`);
    const obj = doc.toJS() as unknown;
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) continue;
    const { apiVersion, kind, metadata } = obj as { apiVersion?: unknown; kind?: unknown; metadata?: unknown };
    if (typeof apiVersion !== 'string' || !apiVersion.startsWith(`${GROUP}/`)) continue;
    if (typeof kind !== 'string' || !KINDS.has(kind)) {
      problems.push(fileProblem(file, `${file}: document ${index + 1}: no kind ${JSON.stringify(kind)} is known in ${apiVersion}; use CredentialSource or EgressPolicy`));
      continue;
    }
    if (typeof metadata === 'object' && metadata !== null && (metadata as { namespace?: unknown }).namespace === undefined) {
      (metadata as { namespace?: string }).namespace = defaultNamespace;
    }
    candidates.push(candidateOf(kind as ResourceKind, obj, file, validator));
  }
  return { candidates, problems };
}
