// Standalone-mode sidecar fixtures shared by the process-level tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { json, startUpstream, testPki, type Upstream } from '@portcullis/sidecar/testing';

const MiB = 1024 * 1024;

/**
 * One bearer CredentialSource document (Secret <name>-key, key `key`): over TLS with `caPem`, or plain HTTP
 * (allowPlaintextUpstream) without.
 */
export function bearerSourceYaml(s: { name: string; port: number; upstream: string; caPem?: string }): string {
  const trust = s.caPem === undefined ? '    allowPlaintextUpstream: true\n' : `    caBundle: ${JSON.stringify(s.caPem)}\n`;
  return `apiVersion: portcullis.dev/v1alpha1
kind: CredentialSource
metadata: {name: ${s.name}}
spec:
  type: http
  port: ${s.port}
  http:
    upstream: ${s.upstream}
${trust}    injection: {type: Bearer}
    secretRef: {name: ${s.name}-key, key: key}
`;
}

/** Flags of a standalone sidecar reading <dir>/config and <dir>/sources, as team-a/agent/agent-0, loopback only. */
export function standaloneArgs(dir: string, extra: readonly string[] = []): string[] {
  return [
    '--standalone', '--config', join(dir, 'config'), '--identity', 'team-a/agent/agent-0', '--secrets-dir', join(dir, 'sources'),
    '--admin-address', '127.0.0.1', '--admin-port', '0', '--listen-addresses', '127.0.0.1', ...extra,
  ];
}

/** Waits (up to ~10 s) until the sidecar's /readyz answers 200. */
export async function untilReady(adminPort: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await fetch(`http://127.0.0.1:${adminPort}/readyz`).then((r) => r.status, () => 0)) === 200) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One bearer CredentialSource "api" (Secret api-key/key) and a policy allowing `paths` for service account agent. */
export function bearerResources(port: number, upstream: Upstream, paths: readonly string[]): string {
  return `${bearerSourceYaml({ name: 'api', port, upstream: upstream.url, caPem: upstream.ca.certPem })}---
apiVersion: portcullis.dev/v1alpha1
kind: EgressPolicy
metadata: {name: agent}
spec:
  workloads: {serviceAccounts: [agent]}
  rules: [{name: allowed, effect: Allow, source: api, paths: ${JSON.stringify(paths)}}]
`;
}

/**
 * The bearer world of the process-level tests: an HTTPS upstream that answers 200 once a request's body has
 * ended, to `Bearer <key>` only, and under `dir` the sidecar's files: sources/api/key and, for `port`,
 * config/resources.yaml allowing `paths` (bearerResources).
 */
export async function startBearerWorld(dir: string, key: string, port: number, paths: readonly string[] = ['/v1/**']): Promise<Upstream> {
  const upstream = await startUpstream(testPki(), (req) => req.headers.authorization === `Bearer ${key}`, (req, res) => {
    req.on('end', () => json(res, 200, { ok: true }));
    req.resume();
  });
  mkdirSync(join(dir, 'config'), { recursive: true });
  mkdirSync(join(dir, 'sources/api'), { recursive: true });
  writeFileSync(join(dir, 'sources/api/key'), key);
  writeFileSync(join(dir, 'config/resources.yaml'), bearerResources(port, upstream, paths));
  return upstream;
}

/** PUTs `totalMiB` MiB of generated data, respecting backpressure, and returns the status. */
export function upload(url: string, totalMiB: number): Promise<number> {
  const chunk = Buffer.alloc(MiB, 0x62);
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method: 'PUT', path: u.pathname, headers: { 'content-length': String(totalMiB * MiB) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    let sent = 0;
    const pump = (): void => {
      while (sent < totalMiB) {
        sent++;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}
