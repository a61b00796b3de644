/** Test helper: reads a JSON vector file from this folder. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function loadVectors<T>(file: string): T {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`./${file}`, import.meta.url)), 'utf8')) as T;
}

export interface SuiteCase {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly sessionToken?: string;
  readonly authorization: string;
}

export interface SigV4Suite {
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly region: string;
  readonly service: string;
  readonly host: string;
  readonly signingDate: string;
  readonly cases: readonly SuiteCase[];
  readonly unnormalizedCanonicalUris: readonly { readonly path: string; readonly canonical: string }[];
}

export interface StreamingVectors {
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly amzDate: string;
  readonly region: string;
  readonly service: string;
  readonly chunkSizes: readonly number[];
  readonly fillByte: string;
  readonly signed: {
    readonly method: string;
    readonly path: string;
    readonly host: string;
    readonly headers: Record<string, string>;
    readonly signedHeaders: string;
    readonly seedSignature: string;
    readonly chunkSignatures: readonly string[];
  };
  readonly signedTrailer: {
    readonly seedSignature: string;
    readonly chunkSignatures: readonly string[];
    readonly trailer: string;
    readonly trailerSignature: string;
  };
}

/** The `code` of what `fn` throws, or undefined when it does not throw. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code ?? 'NO_CODE';
  }
  return undefined;
}
