// The sidecar's small API client (shared/src/adapters/kube/rest) against the real kube-apiserver: list, watch
// events in order, a resource version the server no longer has, the abort, the API server's refusals
// (bad token, missing RBAC) and a token file rewritten between calls.
// A module test, so it runs in jest on Node (issue 12's exception: it cannot reach inside the executable);
// the same client inside the shipped executable on Bun is covered end to end by the cluster-mode suites
// (cluster-mode, api-blip, api-outage: list/watch, relist, TokenReview, outages).
import { describe, expect, it, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { CREDENTIAL_SOURCE_PLURAL, GROUP, VERSION, type CredentialSource } from '@portcullis/shared';
import { KubeApiError, KubeRestClient, restListWatch, type KubeAccess } from '@portcullis/shared/kube';
import { sidecarKubeAccess, sidecarKubeClient, nodeFiles, systemClock } from '@portcullis/sidecar';
import { testPki } from '@portcullis/sidecar/testing';
import { clusterEnv, createNamespace, kubeConfig } from '../support/cluster.js';
import { grantSidecarAccess } from '../support/sidecar-rbac.js';
import { createPod, createServiceAccount, requestPodBoundToken } from '../support/workloads.js';

// What main.ts makes for the sidecar process: the one clock and file access.
const clock = systemClock();
const files = nodeFiles(clock);

const ref = { group: GROUP, version: VERSION, plural: CREDENTIAL_SOURCE_PLURAL };

function source(name: string, port: number, upstream = 'https://api.example.com'): object {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'CredentialSource',
    metadata: { name },
    spec: { type: 'http', port, http: { upstream, injection: { type: 'Bearer' }, secretRef: { name: 'k', key: 'k' } } },
  };
}

interface Seen {
  type: string;
  name: string | undefined;
  upstream: string | undefined;
}

async function until<T>(read: () => T, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('KubeRestClient against the real API server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-e2e-kube-rest-'));
  const tokenFile = join(dir, 'token');
  const caFile = join(dir, 'ca.crt');
  let ns: string;
  let allowedToken: string;
  let deniedToken: string;
  let client: KubeRestClient;
  const custom = (): CustomObjectsApi => kubeConfig().makeApiClient(CustomObjectsApi);

  beforeAll(async () => {
    ns = await createNamespace('kube-rest');
    await createServiceAccount(ns, 'reader');
    await createServiceAccount(ns, 'nobody');
    await grantSidecarAccess(ns, 'reader');
    const audience = [clusterEnv().serviceAccountIssuer];
    allowedToken = await requestPodBoundToken(await createPod(ns, 'reader-0', { serviceAccount: 'reader' }), audience, 3600);
    deniedToken = await requestPodBoundToken(await createPod(ns, 'nobody-0', { serviceAccount: 'nobody' }), audience, 3600);
    writeFileSync(tokenFile, allowedToken);
    writeFileSync(caFile, Buffer.from(kubeConfig().getCurrentCluster()?.caData ?? '', 'base64'));
    client = await sidecarKubeClient({ kind: 'token', server: clusterEnv().server, tokenFile, caFile }, files);
  });

  afterAll(() => {
    client?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists, then watches ADDED, MODIFIED and DELETED in order from the list resource version', async () => {
    await custom().createNamespacedCustomObject({ ...ref, namespace: ns, body: source('first', 18001) });
    const lw = restListWatch<CredentialSource>(client, { ...ref, namespace: ns });
    const listed = await lw.list();
    expect(listed.items.map((i) => i.metadata?.name)).toEqual(['first']);
    expect(listed.resourceVersion).toMatch(/^\d+$/);

    const seen: Seen[] = [];
    let done: unknown[] | undefined;
    const handle = await lw.watch(listed.resourceVersion, (type, obj) => seen.push({ type, name: obj.metadata?.name, upstream: obj.spec?.http?.upstream }), (...args) => {
      done = args;
    });
    await custom().createNamespacedCustomObject({ ...ref, namespace: ns, body: source('second', 18002) });
    await custom().patchNamespacedCustomObject({ ...ref, namespace: ns, name: 'second', body: [{ op: 'replace', path: '/spec/http/upstream', value: 'https://two.example.com' }] });
    await custom().deleteNamespacedCustomObject({ ...ref, namespace: ns, name: 'second' });
    const events = await until(() => seen.filter((e) => e.type !== 'BOOKMARK'), (e) => e.length >= 3);
    expect(events).toEqual([
      { type: 'ADDED', name: 'second', upstream: 'https://api.example.com' },
      { type: 'MODIFIED', name: 'second', upstream: 'https://two.example.com' },
      { type: 'DELETED', name: 'second', upstream: 'https://two.example.com' },
    ]);
    expect(done).toBeUndefined();
    handle.abort();
    expect(done).toEqual([undefined]);
    handle.abort();
    expect(done).toEqual([undefined]);
  });

  it('reports a resource version the server has compacted away as 410, so the informer lists again', async () => {
    const lw = restListWatch<CredentialSource>(client, { ...ref, namespace: ns });
    const events: { type: string; code: unknown }[] = [];
    let error: unknown;
    const handle = await lw
      .watch('1', (type, obj) => events.push({ type, code: (obj as { code?: unknown }).code }), () => undefined)
      .catch((err: unknown) => {
        error = err;
        return undefined;
      });
    // The API server answers an expired resource version either with an ERROR event (watch cache) or
    // with a 410 status (etcd); both must reach the informer as "Gone".
    if (handle) {
      const got = await until(() => events, (e) => e.length > 0);
      handle.abort();
      expect(got[0]).toEqual({ type: 'ERROR', code: 410 });
    } else {
      expect(error).toMatchObject({ status: 410 });
    }
  });

  it('rejects a token the API server does not accept with 401 and says what to check', async () => {
    const bad = new KubeRestClient({ ...(await access()), bearerToken: () => Promise.resolve('not-a-token') });
    try {
      const err = await bad.json('GET', `/apis/${GROUP}/${VERSION}/namespaces/${ns}/${CREDENTIAL_SOURCE_PLURAL}`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KubeApiError);
      expect(err).toMatchObject({ status: 401, reason: 'Unauthorized', message: expect.stringContaining('token file or client certificate') });
    } finally {
      bad.close();
    }
  });

  it('reads the token file on every call: a rewritten token changes who the API server sees', async () => {
    const path = `/apis/${GROUP}/${VERSION}/namespaces/${ns}/${CREDENTIAL_SOURCE_PLURAL}`;
    try {
      writeFileSync(tokenFile, deniedToken);
      const err = await client.json('GET', path).catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 403, reason: 'Forbidden', message: expect.stringContaining('system:serviceaccount:' + ns + ':nobody') });
      writeFileSync(tokenFile, `${allowedToken}\n`);
      await expect(client.json('GET', path)).resolves.toMatchObject({ kind: 'CredentialSourceList' });
    } finally {
      writeFileSync(tokenFile, allowedToken);
    }
  });

  it('refuses an API server whose certificate is not signed by the configured CA', async () => {
    const wrong = new KubeRestClient({ server: clusterEnv().server, ca: testPki().ca.certPem, bearerToken: () => Promise.resolve(allowedToken) });
    try {
      await expect(wrong.json('GET', '/api')).rejects.toThrow(/certificate/i);
    } finally {
      wrong.close();
    }
  });

  it('creates a TokenReview and reads its status', async () => {
    const review = await client.json<{ status?: { authenticated?: boolean; user?: { username?: string } } }>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token: deniedToken },
    });
    expect(review.status).toMatchObject({ authenticated: true, user: { username: `system:serviceaccount:${ns}:nobody` } });
  });

  function access(): Promise<KubeAccess> {
    return sidecarKubeAccess({ kind: 'token', server: clusterEnv().server, tokenFile, caFile }, files);
  }
});
