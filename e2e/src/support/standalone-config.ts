// Standalone-mode sidecar fixtures shared by the process-level tests.
import { request } from 'node:http';
import type { Upstream } from '@portcullis/sidecar';

const MiB = 1024 * 1024;

/** One bearer CredentialSource "api" (Secret api-key/key) and a policy allowing `paths` for service account agent. */
export function bearerResources(port: number, upstream: Upstream, paths: readonly string[]): string {
  return `apiVersion: portcullis.dev/v1alpha1
kind: CredentialSource
metadata: {name: api}
spec:
  type: http
  port: ${port}
  http:
    upstream: ${upstream.url}
    caBundle: ${JSON.stringify(upstream.ca.certPem)}
    injection: {type: Bearer}
    secretRef: {name: api-key, key: key}
---
apiVersion: portcullis.dev/v1alpha1
kind: EgressPolicy
metadata: {name: agent}
spec:
  workloads: {serviceAccounts: [agent]}
  rules: [{name: allowed, effect: Allow, source: api, paths: ${JSON.stringify(paths)}}]
`;
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
