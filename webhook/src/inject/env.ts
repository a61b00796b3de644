import type { V1Container, V1EnvVar } from '@kubernetes/client-node';
import { AWS_SERVICE_ENDPOINT_VARS, sourceEnv, type CredentialSource } from '@portcullis/shared';

export interface SourceEnv {
  readonly vars: readonly V1EnvVar[];
  readonly warnings: readonly string[];
}

const SERVICE_OF_VAR: ReadonlyMap<string, string> = new Map(Object.entries(AWS_SERVICE_ENDPOINT_VARS).map(([service, name]) => [name, service]));

/** What the admission warning says when two sources set one var: endpoint clashes name the field to change. */
function clashWarning(name: string, first: string, second: string): string {
  if (name === 'AWS_ENDPOINT_URL') {
    return (
      `CredentialSources ${first} and ${second} both serve every AWS service (no spec.aws.services); the app's ` +
      `AWS_ENDPOINT_URL points at ${first}, so ${second} is unreachable: set spec.aws.services on ${second} (e.g. ` +
      'services: [dynamodb]) to give its services their own AWS_ENDPOINT_URL_<SERVICE>'
    );
  }
  const service = SERVICE_OF_VAR.get(name);
  if (service !== undefined) {
    return (
      `CredentialSources ${first} and ${second} both list ${service} in spec.aws.services; the app's ${name} ` +
      `points at ${first}: remove ${service} from one of them`
    );
  }
  return `CredentialSources ${first} and ${second} both set ${name}; the app gets ${first}'s value`;
}

/**
 * The env vars of all selected sources; when two sources set one name, the first source wins and the
 * response warns. Aws sources with spec.aws.services set per-service endpoint vars, so they only clash
 * when two claim the same service, or when two serve everything on AWS_ENDPOINT_URL.
 */
export function envForSources(selected: readonly CredentialSource[]): SourceEnv {
  const vars: V1EnvVar[] = [];
  const owner = new Map<string, string>();
  const warnings: string[] = [];
  for (const cs of selected) {
    const source = cs.metadata.name ?? '';
    for (const { name, value } of sourceEnv(cs)) {
      const first = owner.get(name);
      if (first === undefined) {
        owner.set(name, source);
        vars.push({ name, value });
      } else if (vars.find((v) => v.name === name)?.value !== value) {
        warnings.push(clashWarning(name, first, source));
      }
    }
  }
  return { vars, warnings };
}

/**
 * The container with the sources' vars it does not set itself, placed before its own vars so that the
 * user's `$(OPENAI_BASE_URL)`-style references to them expand. A name the container already sets (with
 * value or valueFrom) is never overridden. envFrom is not inspected: an explicit var wins over envFrom.
 */
export function withEnv(container: V1Container, vars: readonly V1EnvVar[]): V1Container {
  const own = container.env ?? [];
  const names = new Set(own.map((e) => e.name));
  const missing = vars.filter((v) => !names.has(v.name));
  if (missing.length === 0) return container;
  return { ...container, env: [...missing.map((v) => ({ ...v })), ...own] };
}
