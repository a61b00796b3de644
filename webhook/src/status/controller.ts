import { resolveSource, secretKeysOf, type CredentialSource, type EgressPolicy, type ResourceValidator } from '@portcullis/shared';
import type { Logger } from 'pino';
import { apiFailure } from '../kube/api-errors.js';
import { ReconcileLoop } from '../leader/reconcile-loop.js';
import type { WebhookMetrics } from '../metrics.js';
import { nextStatus, policyReadiness, sourceReadiness, type SecretKeys, type SecretLookup } from './conditions.js';
import type { SecretReader, StatusKind, StatusWriter } from './kube.js';

export interface StatusControllerDeps {
  readonly sources: () => readonly CredentialSource[];
  readonly policies: () => readonly EgressPolicy[];
  readonly synced: () => boolean;
  readonly writer: StatusWriter;
  /** undefined: Secrets are not checked. */
  readonly secrets: SecretReader | undefined;
  readonly now: () => Date;
  /** The CRD validator the sidecar runs (createResourceValidator): Ready means the sidecar accepts the object. */
  readonly validator: ResourceValidator;
  readonly log: Logger;
  readonly metrics: WebhookMetrics;
  readonly debounceMs: number;
  /** Also re-evaluate this often: Secrets are read, not watched. */
  readonly resyncMs: number;
}

const nsOf = (o: { metadata: { namespace?: string } }): string => o.metadata.namespace ?? '';
const keyOf = (kind: StatusKind, o: { metadata: { namespace?: string; name?: string; uid?: string } }): string =>
  `${kind}/${nsOf(o)}/${o.metadata.name ?? ''}/${o.metadata.uid ?? ''}`;

/**
 * Writes Ready conditions with observedGeneration on CredentialSources and EgressPolicies. Runs only on
 * the Lease holder; reconciles after cache changes (debounced) and every `resyncMs`.
 */
export class StatusController {
  /** What this replica last wrote, so a lagging watch does not cause the same write twice. */
  private written = new Map<string, string>();

  private readonly loop: ReconcileLoop;

  constructor(private readonly deps: StatusControllerDeps) {
    this.loop = new ReconcileLoop({
      name: 'status',
      log: deps.log,
      debounceMs: deps.debounceMs,
      resyncMs: deps.resyncMs,
      reconcile: () => this.reconcile(),
      forget: () => this.written.clear(),
    });
  }


  setLeading(leading: boolean): void {
    this.loop.setLeading(leading);
  }

  /** What this controller watches changed: reconcile soon. */
  changed(): void {
    this.loop.changed();
  }

  stop(): void {
    this.loop.stop();
  }

  /** One full pass (tests call it directly). */
  run(): Promise<void> {
    return this.loop.run();
  }

  private get leading(): boolean {
    return this.loop.leading;
  }

  private async reconcile(): Promise<void> {
    if (!this.leading || !this.deps.synced()) return;
    const sources = this.deps.sources();
    const byNamespace = new Map<string, CredentialSource[]>();
    for (const cs of sources) byNamespace.set(nsOf(cs), [...(byNamespace.get(nsOf(cs)) ?? []), cs]);
    const lookup = await this.secretLookup(sources);
    for (const cs of sources) {
      await this.apply('CredentialSource', cs, sourceReadiness(cs, byNamespace.get(nsOf(cs)) ?? [], lookup, this.deps.validator));
    }
    for (const policy of this.deps.policies()) {
      const names = new Set((byNamespace.get(nsOf(policy)) ?? []).map((cs) => cs.metadata.name ?? ''));
      await this.apply('EgressPolicy', policy, policyReadiness(policy, names, this.deps.validator));
    }
  }

  private async secretLookup(sources: readonly CredentialSource[]): Promise<SecretLookup | undefined> {
    const reader = this.deps.secrets;
    if (!reader) return undefined;
    const found = new Map<string, SecretKeys>();
    for (const cs of sources) {
      const resolved = resolveSource(cs);
      const secret = resolved.ok ? secretKeysOf(resolved.source) : undefined;
      const key = `${nsOf(cs)}/${secret?.secretName ?? ''}`;
      if (secret && !found.has(key)) found.set(key, await reader.keys(nsOf(cs), secret.secretName));
    }
    return (namespace, name) => found.get(`${namespace}/${name}`);
  }

  private async apply(kind: StatusKind, obj: CredentialSource | EgressPolicy, desired: ReturnType<typeof policyReadiness>): Promise<void> {
    if (!this.leading) return;
    const generation = obj.metadata.generation ?? 0;
    const next = nextStatus(obj.status, desired, generation, this.deps.now());
    const key = keyOf(kind, obj);
    const fingerprint = JSON.stringify([generation, desired]);
    if (!next || this.written.get(key) === fingerprint) return;
    try {
      await this.deps.writer.write(kind, nsOf(obj), obj.metadata.name ?? '', next);
      this.written.set(key, fingerprint);
      this.deps.metrics.statusUpdates.inc({ kind, result: 'ok' });
      this.deps.log.info({ kind, namespace: nsOf(obj), name: obj.metadata.name, status: desired.status, reason: desired.reason }, 'status updated');
    } catch (err) {
      this.deps.metrics.statusUpdates.inc({ kind, result: 'error' });
      this.deps.log.warn({ kind, namespace: nsOf(obj), name: obj.metadata.name, ...apiFailure(err) }, 'status update failed; retrying on the next pass');
    }
  }
}
