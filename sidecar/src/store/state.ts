import { join } from 'node:path';
import type { Logger } from 'pino';
import {
  compileForWorkload,
  type CredentialSource,
  type EgressPolicy,
  type Labels,
  type ResolvedHttpSource,
} from '@portcullis/shared';
import type { AssumeRole } from '../credentials/aws-web-identity.js';
import { SecretFile } from '../credentials/secret-file.js';
import type { Identity } from '../deps.js';
import type { SidecarMetrics } from '../metrics.js';
import type { ProxyState } from '../proxy/handler.js';
import { HttpSource, httpSourceKey } from '../sources/http-source.js';
import type { SourceRuntime } from '../sources/runtime.js';
import { awsSourceKey, createAwsRuntime, type AwsRuntimeDeps } from './aws-runtime.js';
import { emptyRules, planSources, type ResolvedSource } from './plan.js';

export interface StateOptions {
  /** Only these sources (by name); undefined: every source of the namespace. */
  readonly sourceFilter: ReadonlySet<string> | undefined;
  /** Secret files live at <secretsDir>/<source>/<key>. */
  readonly secretsDir: string;
  readonly credentialPollIntervalMs: number;
  /** The projected STS web-identity token of aws sources. */
  readonly stsTokenFile: string;
  readonly labels: Labels;
  readonly metrics: SidecarMetrics;
  readonly log: Logger;
  /** Called after every rebuild with the ports that must be listened on. */
  readonly onPorts: (ports: ReadonlySet<number>) => void;
  readonly now?: () => Date;
  /** Tests: replaces STS AssumeRoleWithWebIdentity for aws sources. */
  readonly assumeRole?: AssumeRole;
}

/**
 * Holds the namespace's CredentialSources and EgressPolicies and the pod identity, and rebuilds the
 * ProxyState (compiled rules, source runtimes by port) whenever one changes. Runtimes whose
 * configuration did not change are kept, so credential watchers and connection pools survive edits.
 */
export class SidecarState {
  private sources: readonly CredentialSource[] = [];
  private policies: readonly EgressPolicy[] = [];
  private sourcesSynced = false;
  private policiesSynced = false;
  private identity: Identity | undefined;
  /** The last verified identity: names STS sessions, and survives a transient TokenReview failure. */
  private sessionIdentity: Identity | undefined;
  private unsyncedReason: string | undefined;
  private runtimes = new Map<string, SourceRuntime>();
  private generation = 0;
  private current: ProxyState = { synced: false, rules: emptyRules(), source: () => undefined, problem: () => undefined };
  private building: Promise<void> = Promise.resolve();

  constructor(private readonly opts: StateOptions) {}

  snapshot(): ProxyState {
    return this.current;
  }

  ready(): boolean {
    return this.current.synced;
  }

  setSources(items: readonly CredentialSource[]): Promise<void> {
    this.unsyncedReason = undefined;
    this.sources = items;
    this.sourcesSynced = true;
    return this.rebuild();
  }

  setPolicies(items: readonly EgressPolicy[]): Promise<void> {
    this.unsyncedReason = undefined;
    this.policies = items;
    this.policiesSynced = true;
    return this.rebuild();
  }

  /** Replaces both kinds at once (standalone files), so no request sees new sources with old policies. */
  setAll(sources: readonly CredentialSource[], policies: readonly EgressPolicy[]): Promise<void> {
    this.unsyncedReason = undefined;
    this.sources = sources;
    this.policies = policies;
    this.sourcesSynced = true;
    this.policiesSynced = true;
    return this.rebuild();
  }

  /** The configuration can no longer be trusted (e.g. a broken file): refuse requests until the next set. */
  markUnsynced(reason: string): Promise<void> {
    this.sourcesSynced = false;
    this.policiesSynced = false;
    this.unsyncedReason = reason;
    return this.rebuild();
  }

  /** Why the state is not synced, for /readyz. */
  syncProblem(): string | undefined {
    if (this.current.synced) return undefined;
    if (this.unsyncedReason) return this.unsyncedReason;
    const waiting = [!this.sourcesSynced && 'CredentialSources', !this.policiesSynced && 'EgressPolicies'].filter(Boolean);
    return `waiting for ${waiting.join(' and ')}`;
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
    const plan = planSources(this.sources, this.opts.sourceFilter);
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
      rules: workload ? compileForWorkload(this.policies, workload) : emptyRules(),
      source: (port) => byPort.get(port),
      problem: (port) => problems.get(port),
    };
    this.opts.metrics.policyGeneration.set(this.generation);
    this.opts.onPorts(new Set([...byPort.keys(), ...problems.keys()]));
  }

  private async runtimeFor(resolved: ResolvedSource): Promise<SourceRuntime> {
    if (resolved.type === 'aws') {
      const deps = this.awsDeps();
      const key = awsSourceKey(resolved, deps);
      const existing = this.runtimes.get(resolved.name);
      return existing?.configKey === key ? existing : createAwsRuntime(resolved, key, deps);
    }
    return this.httpRuntimeFor(resolved);
  }

  private awsDeps(): AwsRuntimeDeps {
    const { secretsDir, credentialPollIntervalMs, stsTokenFile, metrics, log, assumeRole } = this.opts;
    return {
      secretsDir,
      credentialPollIntervalMs,
      stsTokenFile,
      workload: this.sessionIdentity,
      metrics,
      log,
      now: this.opts.now ?? (() => new Date()),
      ...(assumeRole ? { assumeRole } : {}),
    };
  }

  private async httpRuntimeFor(resolved: ResolvedHttpSource): Promise<SourceRuntime> {
    const secretPath = join(this.opts.secretsDir, resolved.name, resolved.secretRef.key);
    const key = httpSourceKey(resolved, secretPath);
    const existing = this.runtimes.get(resolved.name);
    if (existing?.configKey === key) return existing;
    const { metrics, log } = this.opts;
    const secret = await SecretFile.open({
      source: resolved.name,
      path: secretPath,
      pollIntervalMs: this.opts.credentialPollIntervalMs,
      onReload: (result, error) => {
        if (result === 'unchanged') return;
        metrics.credentialReloads.inc({ source: resolved.name, result });
        if (error) log.warn({ source: resolved.name, path: secretPath, code: (error as NodeJS.ErrnoException).code }, 'credential unavailable');
        else log.info({ source: resolved.name }, 'credential loaded');
      },
    });
    return new HttpSource(resolved, secret, key);
  }

  async close(): Promise<void> {
    await this.building;
    for (const r of this.runtimes.values()) r.close();
    this.runtimes.clear();
  }
}
