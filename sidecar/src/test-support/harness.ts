// Runs the real request pipeline (state, handler, providers) behind a loopback server on port 0, without
// a cluster: identity is given, resources are set directly, logs/audit/metrics are captured in memory.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  createResourceValidator,
  type CredentialSource,
  type EgressPolicy,
  type KindTypes,
  type LimitStore,
  MemoryLimitStore,
  type ResourceKind,
  type ResourceValidator,
  type Valid,
} from '@portcullis/shared';
import { AuditLog } from '../audit/audit-log.js';
import type { AuditRecord } from '../audit/record.js';
import type { Identity } from '../identity/identity.js';
import { createLogger } from '../logger.js';
import { createLimitMetrics } from '../limits/metrics.js';
import { createMetrics, type SidecarMetrics } from '../metrics.js';
import { systemClock, type Clock } from '../io/clock.js';
import { nodeFiles } from '../io/files.js';
import { createHandler, type HandlerDeps } from '../proxy/handler.js';
import { OpenTunnels } from '../websocket/open-tunnels.js';
import { createUpgradeHandler } from '../websocket/upgrade-handler.js';
import { SidecarState } from '../store/state.js';

/** The fixtures go through the real validator, as every object the sidecar loads does; an invalid one fails the test. */
function validatedAll<K extends ResourceKind>(validator: ResourceValidator, kind: K, objects: readonly unknown[]): Valid<KindTypes[K]>[] {
  return objects.map((object) => {
    const result = validator.validate(kind, object);
    if (!result.ok) throw new Error(`test fixture: ${result.message}`);
    return result.object;
  });
}

export const TEST_IDENTITY: Identity = { namespace: 'team-a', serviceAccount: 'agent', podName: 'agent-7f9c', podUID: 'uid-agent' };

export interface Harness {
  /** http://127.0.0.1:<port> of the source the harness serves. */
  readonly url: string;
  readonly audit: AuditRecord[];
  /** Raw text of everything written: operational logs and audit lines. */
  readonly output: () => string;
  readonly metrics: SidecarMetrics;
  readonly state: SidecarState;
  setSecret(source: string, key: string, value: string): void;
  removeSecret(source: string, key: string): void;
  setIdentity(identity: Identity | undefined): void;
  /** Replaces the EgressPolicies (validated), keeping the sources. */
  setPolicies(policies: EgressPolicy[]): Promise<void>;
  /** Stands for the pod watcher: a reason suspends every call, undefined resumes. */
  setPodSuspension(reason: string | undefined): void;
  /** WebSocket tunnels open now. */
  openTunnels(): number;
  close(): Promise<void>;
}

export async function startHarness(opts: {
  sources: CredentialSource[];
  policies: EgressPolicy[];
  /** Which source (by spec.port) the harness server stands for. */
  port: number;
  secrets: Record<string, Record<string, string>>;
  identity?: Identity | undefined;
  /** Contents of the STS web-identity token file (aws sources with webIdentity). */
  stsToken?: string;
  /** Folder of per-source projected tokens (origins that exchange the pod's token); a fresh empty one unless given. */
  originTokensDir?: string;
  now?: () => Date;
  /** Counters for ServiceAccount/Namespace-scope limits (a Redis store in tests that need one). */
  sharedLimitStore?: LimitStore;
  /** --upstream-response-timeout-seconds, in ms (5000 unless given). */
  responseTimeoutMs?: number;
  /** --websocket-idle-timeout-seconds, in ms (30 000 unless given). */
  websocketIdleTimeoutMs?: number;
  /** How often open tunnels are checked for revocation (50 ms unless given). */
  tunnelCheckIntervalMs?: number;
}): Promise<Harness> {
  const secretsDir = mkdtempSync(join(tmpdir(), 'portcullis-secrets-'));
  const setSecret = (source: string, key: string, value: string): void => {
    mkdirSync(join(secretsDir, source), { recursive: true });
    writeFileSync(join(secretsDir, source, key), value);
  };
  for (const [source, keys] of Object.entries(opts.secrets)) for (const [k, v] of Object.entries(keys)) setSecret(source, k, v);

  const stsTokenFile = join(secretsDir, '.sts-token');
  if (opts.stsToken !== undefined) writeFileSync(stsTokenFile, opts.stsToken);

  let text = '';
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) { text += chunk.toString(); cb(); } });
  const audit: AuditRecord[] = [];
  const log = createLogger('debug', { write: (s: string) => { text += s; } });
  const metrics = createMetrics({ defaultMetrics: false });
  let suspended: string | undefined;
  let identity = 'identity' in opts ? opts.identity : TEST_IDENTITY;
  const clock: Clock = opts.now ? { ...systemClock(), now: opts.now } : systemClock();
  const state = new SidecarState({
    sourceFilter: undefined,
    secretsDir,
    stsTokenFile,
    vaultJwtFile: join(secretsDir, '..', 'vault-token'),
    vaultTokenFile: undefined,
    originTokensDir: opts.originTokensDir ?? join(secretsDir, '..', 'origin-tokens'),
    credentialPollIntervalMs: 100,
    labels: {},
    metrics,
    log,
    clock,
    files: nodeFiles(clock),
  });
  await state.setIdentity(identity);
  const validator = createResourceValidator();
  await state.setAll(validatedAll(validator, 'CredentialSource', opts.sources), validatedAll(validator, 'EgressPolicy', opts.policies));
  const handlerDeps: HandlerDeps = {
    identity: () => identity,
    identityProblem: () => (identity ? undefined : 'TokenReview refused the token'),
    state: () => state.snapshot(),
    audit: new AuditLog({ write: (line) => { text += line; audit.push(JSON.parse(line) as AuditRecord); sink.write(line); } }),
    metrics,
    log,
    requestId: (() => { let n = 0; return () => `req-${++n}`; })(),
    responseTimeoutMs: opts.responseTimeoutMs ?? 5000,
    now: clock.now,
    limits: { stores: { memory: new MemoryLimitStore(), shared: opts.sharedLimitStore, leaseMs: 600_000 }, metrics: createLimitMetrics(metrics.registry), nowMs: () => clock.now().getTime() },
    podSuspension: () => suspended,
  };
  const tunnels = new OpenTunnels(opts.tunnelCheckIntervalMs ?? 50);
  const server: Server = createServer(createHandler(opts.port, handlerDeps));
  server.on('upgrade', createUpgradeHandler(opts.port, { ...handlerDeps, tunnels, idleTimeoutMs: opts.websocketIdleTimeoutMs ?? 30_000 }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    audit,
    output: () => text,
    metrics,
    state,
    setSecret,
    removeSecret: (source, key) => rmSync(join(secretsDir, source, key), { force: true }),
    setIdentity(next) {
      identity = next;
      void state.setIdentity(next);
    },
    setPolicies(policies) {
      return state.setAll(validatedAll(validator, 'CredentialSource', opts.sources), validatedAll(validator, 'EgressPolicy', policies));
    },
    setPodSuspension(reason) {
      suspended = reason;
    },
    openTunnels: () => tunnels.size,
    async close() {
      await tunnels.stop('the test ended');
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await state.close();
      rmSync(secretsDir, { recursive: true, force: true });
    },
  };
}

/** Waits until `check` passes (audit lines are written when the response closes, a tick after the client sees it). */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
