import type { Logger } from 'pino';
import {
  compileForWorkload,
  compileHostRules,
  compileLimits,
  NO_HOST_RULES,
  NO_LIMITS,
  type CredentialSource,
  type EgressPolicy,
  type Labels,
  type ResolvedHttpSource,
  type Valid,
} from '@portcullis/shared';
import type { AssumeRole } from '../origins/aws-web-identity/web-identity-credentials.js';
import type { OriginDeps } from '../origins/origin.js';
import type { Identity } from '../deps.js';
import type { Clock } from '../io/clock.js';
import type { Files } from '../io/files.js';
import type { SidecarMetrics } from '../metrics.js';
import type { ProxyState } from '../sources/proxy-state.js';
import { HttpSource, httpSourceKey } from '../sources/http-source.js';
import type { SourceRuntime } from '../sources/runtime.js';
import { awsSourceKey, createAwsRuntime } from './aws-runtime.js';
import { httpOriginKey, openHttpOrigin } from './http-origins.js';
import type { FileLoad } from './file-store.js';
import { inForce, type Batch } from './last-known-good.js';
import { createStoreMetrics } from './metrics.js';
import { emptyRules, planSources, type ResolvedSource } from './plan.js';
import { RejectionReport } from './rejection-report.js';
import { presetHosts, servedHosts } from './served-hosts.js';

export interface StateOptions {
  /** Only these sources (by name); undefined: every source of the namespace. */
  readonly sourceFilter: ReadonlySet<string> | undefined;
  /** Secret files live at <secretsDir>/<source>/<key>. */
  readonly secretsDir: string;
  readonly credentialPollIntervalMs: number;
  /** The projected STS web-identity token of aws sources. */
  readonly stsTokenFile: string;
  /** The projected token of the Vault audience (Kubernetes auth), and standalone's Vault token file. */
  readonly vaultJwtFile: string;
  readonly vaultTokenFile: string | undefined;
  readonly originTokensDir: string;
  readonly labels: Labels;
  readonly metrics: SidecarMetrics;
  readonly log: Logger;
  /** Time and timers, file reads and folder watches, for the credential origins (main.ts makes them). */
  readonly clock: Clock;
  readonly files: Files;
  /** Tests: replaces STS AssumeRoleWithWebIdentity for aws sources. */
  readonly assumeRole?: AssumeRole;
}

/**
 * Holds the namespace's CredentialSources and EgressPolicies and the pod identity, and rebuilds the
 * ProxyState (compiled rules, source runtimes by port) whenever one changes. Runtimes whose
 * configuration did not change are kept, so credential watchers and connection pools survive edits.
 * Objects arrive validated, in batches: a rejected object keeps its last valid version in force (or
 * contributes nothing if it never had one), and the rejections are logged, counted and listed.
 */
export class SidecarState {
  private sources = new Map<string, Valid<CredentialSource>>();
  private policies = new Map<string, Valid<EgressPolicy>>();
  private sourcesSynced = false;
  private policiesSynced = false;
  private identity: Identity | undefined;
  /** The last verified identity: names STS sessions, and survives a transient TokenReview failure. */
  private sessionIdentity: Identity | undefined;
  private readonly report: RejectionReport;
  private runtimes = new Map<string, SourceRuntime>();
  private generation = 0;
  private current: ProxyState = { synced: false, rules: emptyRules(), limits: NO_LIMITS, hosts: NO_HOST_RULES, source: () => undefined, sourceForHost: () => undefined, problem: () => undefined };
  private building: Promise<void> = Promise.resolve();
  private portsListener: ((ports: ReadonlySet<number>) => void) | undefined;

  constructor(private readonly opts: StateOptions) {
    this.report = new RejectionReport(opts.log, createStoreMetrics(opts.metrics.registry));
  }

  /** Called after every rebuild with the ports that must be listened on (the port listeners, built after the state). */
  onPorts(listener: (ports: ReadonlySet<number>) => void): void {
    this.portsListener = listener;
  }

  snapshot(): ProxyState {
    return this.current;
  }

  ready(): boolean {
    return this.current.synced;
  }

  /** The namespace's CredentialSources as just listed or watched (cluster mode). */
  applySources(batch: Batch<'CredentialSource'>): Promise<void> {
    this.takeSources(batch);
    return this.rebuild();
  }

  /** The namespace's EgressPolicies as just listed or watched (cluster mode). */
  applyPolicies(batch: Batch<'EgressPolicy'>): Promise<void> {
    this.takePolicies(batch);
    return this.rebuild();
  }

  /** Both kinds at once (standalone files), so no request sees new sources with old policies. */
  applyFiles(load: FileLoad): Promise<void> {
    this.takeSources(load.sources);
    this.takePolicies(load.policies);
    this.report.update('files', load.files, () => false);
    return this.rebuild();
  }

  /** Replaces both kinds with objects that are all valid (tests, and callers that validated themselves). */
  setAll(sources: readonly Valid<CredentialSource>[], policies: readonly Valid<EgressPolicy>[]): Promise<void> {
    const batch = <T extends { metadata: { namespace?: string; name?: string } }>(items: readonly T[]): Map<string, T> =>
      new Map(items.map((o) => [`${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`, o]));
    return this.applyFiles({
      sources: { kind: 'CredentialSource', accepted: batch(sources), rejected: [], held: new Set() },
      policies: { kind: 'EgressPolicy', accepted: batch(policies), rejected: [], held: new Set() },
      files: [],
    });
  }

  /** Why the state is not synced, for /readyz. */
  syncProblem(): string | undefined {
    if (this.current.synced) return undefined;
    const waiting = [!this.sourcesSynced && 'CredentialSources', !this.policiesSynced && 'EgressPolicies'].filter(Boolean);
    return `waiting for ${waiting.join(' and ')}`;
  }

  /** The objects and files rejected right now and what stays in force for each, for /readyz. */
  rejected(): string[] {
    return this.report.lines();
  }

  /** Sources whose credential cannot be used right now, one line each (for /readyz). */
  credentialProblems(): string[] {
    const lines: string[] = [];
    for (const r of this.runtimes.values()) {
      const problem = r.credentialProblem?.();
      if (problem !== undefined) lines.push(`source ${r.name}: ${problem}`);
    }
    return lines;
  }

  private takeSources(batch: Batch<'CredentialSource'>): void {
    this.sources = inForce(this.sources, batch.accepted, batch.held);
    this.sourcesSynced = true;
    this.report.update('sources', batch.rejected, (key) => this.sources.has(key));
  }

  private takePolicies(batch: Batch<'EgressPolicy'>): void {
    this.policies = inForce(this.policies, batch.accepted, batch.held);
    this.policiesSynced = true;
    this.report.update('policies', batch.rejected, (key) => this.policies.has(key));
  }

  setIdentity(identity: Identity | undefined): Promise<void> {
    this.identity = identity;
    if (identity) this.sessionIdentity = identity;
    return this.rebuild();
  }

  /** Rebuilds are serialized so a slow credential open never lets an older build win. */
  private rebuild(): Promise<void> {
    this.building = this.building.then(() => this.build()).catch((err: unknown) => {
      this.opts.log.error({ err }, 'rebuilding the proxy state failed');
    });
    return this.building;
  }

  private async build(): Promise<void> {
    const plan = planSources([...this.sources.values()], this.opts.sourceFilter);
    for (const p of plan.problems) this.opts.log.warn({ source: p.source, problem: p.message }, 'CredentialSource not served');
    const next = new Map<string, SourceRuntime>();
    for (const resolved of plan.usable) next.set(resolved.name, await this.runtimeFor(resolved));
    for (const [name, old] of this.runtimes) if (next.get(name) !== old) old.close();
    this.runtimes = next;

    const byPort = new Map<number, SourceRuntime>();
    for (const r of next.values()) byPort.set(r.port, r);
    const problems = new Map(plan.problems.filter((p) => p.port !== undefined).map((p) => [p.port as number, `${p.source}: ${p.message}`]));
    const workload = this.identity ? { ...this.identity, labels: this.opts.labels } : undefined;
    this.generation++;
    this.current = {
      synced: this.sourcesSynced && this.policiesSynced,
      rules: workload ? compileForWorkload([...this.policies.values()], workload) : emptyRules(),
      limits: workload ? compileLimits([...this.policies.values()], workload) : NO_LIMITS,
      hosts: workload ? compileHostRules([...this.policies.values()], workload) : NO_HOST_RULES,
      source: (port) => byPort.get(port),
      sourceForHost: servedHosts(plan.usable, next, presetHosts([...this.sources.values()])),
      problem: (port) => problems.get(port),
    };
    this.opts.metrics.policyGeneration.set(this.generation);
    this.portsListener?.(new Set([...byPort.keys(), ...problems.keys()]));
  }

  private async runtimeFor(resolved: ResolvedSource): Promise<SourceRuntime> {
    const deps = this.originDeps();
    if (resolved.type === 'aws') {
      const key = awsSourceKey(resolved, deps);
      const existing = this.runtimes.get(resolved.name);
      return existing?.configKey === key ? existing : createAwsRuntime(resolved, key, deps);
    }
    return this.httpRuntimeFor(resolved, deps);
  }

  private originDeps(): OriginDeps {
    const { secretsDir, credentialPollIntervalMs, stsTokenFile, vaultJwtFile, vaultTokenFile, originTokensDir, metrics, log, assumeRole } = this.opts;
    return {
      secretsDir,
      credentialPollIntervalMs,
      stsTokenFile,
      vaultJwtFile,
      vaultTokenFile,
      originTokensDir,
      workload: this.sessionIdentity,
      metrics,
      log,
      clock: this.opts.clock,
      files: this.opts.files,
      ...(assumeRole ? { assumeRole } : {}),
    };
  }

  private async httpRuntimeFor(resolved: ResolvedHttpSource, deps: OriginDeps): Promise<SourceRuntime> {
    const key = httpSourceKey(resolved, httpOriginKey(resolved, deps));
    const existing = this.runtimes.get(resolved.name);
    if (existing?.configKey === key) return existing;
    return new HttpSource(resolved, await openHttpOrigin(resolved, deps), key);
  }

  async close(): Promise<void> {
    await this.building;
    for (const r of this.runtimes.values()) r.close();
    this.runtimes.clear();
  }
}
