// An API server that stops answering for longer than one identity review interval (SIGSTOP of the
// control plane's kube-apiserver) must not take a cluster-mode sidecar out of service: it keeps
// serving with the identity it verified, stays ready, and counts the failed reviews.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Upstream } from '@portcullis/sidecar/testing';
import { withApiServerStopped } from '../support/api-server-stop.js';
import { createAgentWorld, startClusterSidecar, stopAndRemove, type ClusterSidecar } from '../support/cluster-sidecar.js';
import { testPort } from '../support/test-ports.js';

const KEY = 'e2e-blip-key';
const REVIEW_INTERVAL_S = 2;
/** Longer than one review interval plus the review timeout (half the interval): reviews fail meanwhile. */
const STOP_MS = 4_000;

const sample = (text: string, result: string): number => Number(new RegExp(`portcullis_sidecar_identity_reviews_total\\{result="${result}"\\} (\\d+)`).exec(text)?.[1] ?? 0);

describe('a cluster-mode sidecar while the API server is stopped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-blip-'));
  const port = testPort();
  let upstream: Upstream;
  let sidecar: ClusterSidecar;

  beforeAll(async () => {
    const world = await createAgentWorld({ prefix: 'blip', dir, port, key: KEY, tokenSeconds: 3600, rules: [{ name: 'read', effect: 'Allow', source: 'api', methods: ['GET'], paths: ['/v1/**'] }] });
    const { ns } = world;
    upstream = world.upstream;
    sidecar = await startClusterSidecar({
      ns, dir, port,
      args: ['--identity-review-interval-seconds', String(REVIEW_INTERVAL_S)],
      readyTimeoutMs: 15_000,
    });
  }, 60_000);

  afterAll(() => stopAndRemove(sidecar, upstream, dir));

  it('keeps serving and stays ready through failed reviews, then reviews successfully again', async () => {
    const before = await sidecar.metrics();
    const statuses: number[] = [];
    const unready: string[] = [];
    await withApiServerStopped(async () => {
      const end = Date.now() + STOP_MS;
      while (Date.now() < end) {
        statuses.push((await fetch(`http://127.0.0.1:${port}/v1/models`)).status);
        const admin = await sidecar.readiness();
        if (admin.status !== 200) unready.push(JSON.stringify(admin.body));
        await new Promise((r) => setTimeout(r, 200));
      }
    });
    const during = await sidecar.metrics();
    expect(statuses.length).toBeGreaterThan(10);
    expect(new Set(statuses)).toEqual(new Set([200]));
    expect(unready).toEqual([]);
    // Reviews did fail while it was stopped (timeouts), and the identity was kept regardless.
    expect(sample(during, 'timeout')).toBeGreaterThan(sample(before, 'timeout'));
    expect(during).toMatch(/portcullis_sidecar_identity_verified 1/);

    const deadline = Date.now() + 20_000;
    let after = during;
    while (sample(after, 'verified') <= sample(during, 'verified') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      after = await sidecar.metrics();
    }
    expect(sample(after, 'verified')).toBeGreaterThan(sample(during, 'verified'));
    expect((await fetch(`http://127.0.0.1:${port}/v1/models`)).status).toBe(200);
  }, 40_000);
});
