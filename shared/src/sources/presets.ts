import type { HttpInjection, HttpPreset } from '../crd/index.js';

/** The token in env values that stands for the source's local URL, http://127.0.0.1:<port>. */
export const PORTCULLIS_URL_TOKEN = '$(PORTCULLIS_URL)';

/**
 * What apps get instead of a credential. SDKs refuse to start without a key, so they get this one; the
 * sidecar strips it and injects the real credential. It is deliberately not shaped like any real key.
 */
export const PLACEHOLDER_CREDENTIAL = 'portcullis-placeholder';

export interface EnvDefault {
  readonly name: string;
  readonly value: string;
}

/**
 * The error body the app's SDK reads when Portcullis answers instead of the upstream: `json` (one body
 * OpenAI's, Anthropic's and Azure Resource Manager's SDKs all read: `error.code`, `error.message`),
 * `azure-storage` (Azure Storage's XML `<Error><Code>…` with `x-ms-error-code`, which its SDKs read),
 * `google` (Google's `{"error": {"code", "message", "status", "errors"}}`, which gaxios and every Google
 * Cloud client library read).
 */
export type HttpErrorShape = 'json' | 'azure-storage' | 'google';

export interface HttpPresetDefaults {
  /** Undefined where every customer has a host of their own (an Azure storage account): spec.http.upstream is then required. */
  readonly upstream: string | undefined;
  readonly injection: HttpInjection;
  readonly env: readonly EnvDefault[];
  /** The Entra scope an azureWorkloadIdentity origin asks for when spec names none. */
  readonly azureScope?: string;
  /** `json` unless given. */
  readonly errorShape?: HttpErrorShape;
}


const placeholder = (name: string): EnvDefault => ({ name, value: PLACEHOLDER_CREDENTIAL });
const url = (name: string, suffix = ''): EnvDefault => ({ name, value: `${PORTCULLIS_URL_TOKEN}${suffix}` });

/** Upstream, injection and env defaults of the well-known APIs (CredentialSource spec.http.preset). */
export const HTTP_PRESETS: Readonly<Record<HttpPreset, HttpPresetDefaults>> = {
  openai: {
    upstream: 'https://api.openai.com',
    injection: { type: 'Bearer' },
    env: [url('OPENAI_BASE_URL', '/v1'), placeholder('OPENAI_API_KEY')],
  },
  anthropic: {
    upstream: 'https://api.anthropic.com',
    injection: { type: 'Header', header: { name: 'x-api-key' } },
    env: [url('ANTHROPIC_BASE_URL'), placeholder('ANTHROPIC_API_KEY')],
  },
  mistral: {
    upstream: 'https://api.mistral.ai',
    injection: { type: 'Bearer' },
    env: [url('MISTRAL_SERVER_URL'), placeholder('MISTRAL_API_KEY')],
  },
  github: {
    upstream: 'https://api.github.com',
    injection: { type: 'Bearer' },
    env: [url('GITHUB_API_URL'), placeholder('GITHUB_TOKEN')],
  },
  gitlab: {
    upstream: 'https://gitlab.com',
    injection: { type: 'Header', header: { name: 'PRIVATE-TOKEN' } },
    env: [url('GITLAB_URL'), placeholder('GITLAB_TOKEN')],
  },
  stripe: {
    upstream: 'https://api.stripe.com',
    injection: { type: 'Basic' },
    env: [url('STRIPE_API_BASE'), placeholder('STRIPE_API_KEY')],
  },
  // Entra bearer tokens (spec.http.azureWorkloadIdentity). Storage and OpenAI live on per-account hosts.
  'azure-storage': {
    upstream: undefined,
    injection: { type: 'Bearer' },
    env: [url('AZURE_STORAGE_BLOB_URL')],
    azureScope: 'https://storage.azure.com/.default',
    errorShape: 'azure-storage',
  },
  'azure-management': {
    upstream: 'https://management.azure.com',
    injection: { type: 'Bearer' },
    env: [url('AZURE_RESOURCE_MANAGER_URL')],
    azureScope: 'https://management.azure.com/.default',
  },
  'azure-openai': {
    upstream: undefined,
    injection: { type: 'Bearer' },
    env: [url('AZURE_OPENAI_ENDPOINT'), placeholder('AZURE_OPENAI_API_KEY')],
    azureScope: 'https://cognitiveservices.azure.com/.default',
  },
  // Google OAuth bearer tokens (spec.http.gcpWorkloadIdentity); failures in Google's JSON error shape.
  gcs: {
    upstream: 'https://storage.googleapis.com',
    injection: { type: 'Bearer' },
    // For the client's apiEndpoint option. Not STORAGE_EMULATOR_HOST: Node's @google-cloud/storage puts
    // its JSON API paths under that without /storage/v1, which Google does not serve.
    env: [url('GCS_API_ENDPOINT')],
    errorShape: 'google',
  },
  'vertex-ai': {
    upstream: undefined,
    injection: { type: 'Bearer' },
    env: [url('GOOGLE_VERTEX_BASE_URL')],
    errorShape: 'google',
  },
  googleapis: {
    upstream: 'https://www.googleapis.com',
    injection: { type: 'Bearer' },
    env: [],
    errorShape: 'google',
  },
};

/** Env defaults of type aws: the SDKs' endpoint override plus placeholder keys they sign with. */
export const AWS_ENV_DEFAULTS: readonly EnvDefault[] = [
  url('AWS_ENDPOINT_URL'),
  placeholder('AWS_ACCESS_KEY_ID'),
  placeholder('AWS_SECRET_ACCESS_KEY'),
];
