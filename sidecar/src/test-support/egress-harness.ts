// The HTTPS_PROXY port on 127.0.0.1:0 over the real state (policies compiled as the sidecar does), with
// DNS given by the test so names can point anywhere without /etc/hosts; audit lines captured in memory.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createResourceValidator, MemoryLimitStore, type CredentialSource, type EgressPolicy, type Valid } from '@portcullis/shared';
import * as pki from '@portcullis/shared/pki';
import { AuditLog } from '../audit/audit-log.js';
import type { AuditRecord } from '../audit/record.js';
import { createAddressGuard } from '../egress/address-guard.js';
import { createEgressMetrics } from '../egress/metrics.js';
import { PodCa } from '../egress/mitm/pod-ca.js';
import { EgressProxy } from '../egress/proxy-server.js';
import { createLimitMetrics } from '../limits/metrics.js';
import { createHandler } from '../proxy/handler.js';
import type { Lookup } from '../egress/resolve-target.js';
import type { Identity } from '../identity/identity.js';
import { systemClock } from '../io/clock.js';
import { nodeFiles } from '../io/files.js';
import { createLogger } from '../logger.js';
import { createMetrics, type SidecarMetrics } from '../metrics.js';
import { SidecarState } from '../store/state.js';
import { TEST_IDENTITY } from './harness.js';

export interface EgressHarness {
  /** 127.0.0.1:<port> of the proxy port. */
  readonly port: number;
  readonly audit: AuditRecord[];
  readonly metrics: SidecarMetrics;
  /** Names looked up so far, in order (to prove one lookup per tunnel). */
  readonly lookups: string[];
  /** The pod CA's certificate when sources are served (proxy mode's TLS). */
  readonly caCertPem: string | undefined;
  setIdentity(identity: Identity | undefined): void;
  setPolicies(policies: EgressPolicy[]): Promise<void>;
  close(): Promise<void>;
}

export function egressPolicy(name: string, egress: NonNullable<EgressPolicy['spec']['egress']>, mode: 'Enforce' | 'Audit' = 'Enforce'): EgressPolicy {
  return { apiVersion: 'portcullis.dev/v1alpha1', kind: 'EgressPolicy', metadata: { name, namespace: TEST_IDENTITY.namespace }, spec: { mode, workloads: { serviceAccounts: [TEST_IDENTITY.serviceAccount] }, egress } };
}

export async function startEgressHarness(opts: {
  policies: EgressPolicy[];
  hosts: Record<string, string[]>;
  apiServer?: string[];
  /** Sources whose hosts the proxy port terminates with the pod CA (proxy mode's TLS is on when given). */
  sources?: CredentialSource[];
  secrets?: Record<string, Record<string, string>>;
}): Promise<EgressHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-egress-'));
  for (const [source, keys] of Object.entries(opts.secrets ?? {})) {
    mkdirSync(join(dir, source), { recursive: true });
    for (const [k, v] of Object.entries(keys)) writeFileSync(join(dir, source, k), v);
  }
  const audit: AuditRecord[] = [];
  const log = createLogger('warn', { write: () => undefined });
  const metrics = createMetrics({ defaultMetrics: false });
  const clock = systemClock();
  const state = new SidecarState({
    sourceFilter: undefined,
    secretsDir: dir,
    stsTokenFile: join(dir, 'sts'),
    vaultJwtFile: join(dir, 'vault'),
    vaultTokenFile: undefined,
    originTokensDir: join(dir, 'origin-tokens'),
    credentialPollIntervalMs: 100,
    labels: {},
    metrics,
    log,
    clock,
    files: nodeFiles(clock),
  });
  let identity: Identity | undefined = TEST_IDENTITY;
  await state.setIdentity(identity);
  const validator = createResourceValidator();
  const validated = (policies: EgressPolicy[]): Valid<EgressPolicy>[] =>
    policies.map((p) => {
      const r = validator.validate('EgressPolicy', p);
      if (!r.ok) throw new Error(`test fixture: ${r.message}`);
      return r.object;
    });
  const sources = (opts.sources ?? []).map((cs) => {
    const r = validator.validate('CredentialSource', cs);
    if (!r.ok) throw new Error(`test fixture: ${r.message}`);
    return r.object;
  });
  await state.setAll(sources, validated(opts.policies));
  const auditLog = new AuditLog({ write: (line) => void audit.push(JSON.parse(line) as AuditRecord) });
  let requestNumber = 0;
  const servers = new Map<number, Server>();
  const ca = opts.sources ? new PodCa(pki, clock.now) : undefined;
  const mitm = ca
    ? {
        ca,
        serverFor(port: number): Server {
          let server = servers.get(port);
          if (!server) {
            server = createServer(
              createHandler(port, {
                identity: () => identity,
                identityProblem: () => (identity ? undefined : 'TokenReview refused the token'),
                state: () => state.snapshot(),
                audit: auditLog,
                metrics,
                log,
                requestId: () => `req-${++requestNumber}`,
                responseTimeoutMs: 5000,
                now: clock.now,
                limits: { stores: { memory: new MemoryLimitStore(), shared: undefined, leaseMs: 600_000 }, metrics: createLimitMetrics(metrics.registry), nowMs: () => clock.now().getTime() },
                podSuspension: () => undefined,
              }),
            );
            servers.set(port, server);
          }
          return server;
        },
      }
    : undefined;
  const lookups: string[] = [];
  const lookup: Lookup = (host) => {
    lookups.push(host);
    const found = opts.hosts[host];
    if (!found) return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }));
    return Promise.resolve(found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  };
  let n = 0;
  const proxy = new EgressProxy(
    0,
    ['127.0.0.1'],
    {
      identity: () => identity,
      identityProblem: () => (identity ? undefined : 'TokenReview refused the token'),
      state: () => state.snapshot(),
      podSuspension: () => undefined,
      lookup,
      guard: createAddressGuard(opts.apiServer ?? []),
      audit: auditLog,
      metrics: createEgressMetrics(metrics.registry),
      requestId: () => `egress-${++n}`,
      now: clock.now,
      connectTimeoutMs: 2000,
      ...(mitm ? { mitm } : {}),
    },
    log,
  );
  await proxy.start();
  return {
    port: proxy.address()?.port ?? 0,
    audit,
    metrics,
    lookups,
    caCertPem: ca?.certPem,
    setIdentity: (next) => {
      identity = next;
    },
    setPolicies: (policies) => state.setAll(sources, validated(policies)),
    async close() {
      await proxy.close();
      await state.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
