// Real pods on a real kubelet (docs/e2e-node.md, ADR 33): the chart's webhook runs as a pod from the image
// sidecar/Dockerfile and webhook/Dockerfile build, the API server calls it through its Service, and an
// annotated Job runs the openai SDK and the AWS SDK with only the env vars the webhook injected, through
// the injected native sidecar, to MinIO and an OpenAI stand-in. Then: audit lines through `kubectl logs`,
// an exec into the app container that looks for the proxy's secrets and tokens, the restricted Pod
// Security Standard, and a pod deletion that must end the sidecar cleanly.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Upstream } from '@portcullis/sidecar/testing';
import { parseAllDocuments, stringify } from 'yaml';
import { helmWithValues } from '../chart/chart.js';
import { clusterEnv, createNamespace, helm, kubectl } from '../support/cluster.js';
import { runCli } from '../cli/run-cli.js';
import { startMinio, type Minio } from '../support/minio.js';
import { nodeUnsupported } from './support-check.js';
import { clusterConfig } from '../cluster/config.js';
import { readState } from '../cluster/control-plane.js';
import { startNodeOn, type LocalNode } from './start.js';
import { stopNode } from './node.js';
import { BREAK_IN_SCRIPT, BUCKET, CHAT_ANSWER, OPENAI_KEY, RESTRICTED, appJob, appResources, chartValues, idlePod, startOpenAiStandIn } from './world.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const log = (line: string): void => console.error(`e2e node: ${line}`);
const unsupported = nodeUnsupported();
if (unsupported) console.warn(`e2e node suite SKIPPED: ${unsupported}`);
const suite = unsupported ? describe.skip : describe;

interface ContainerStatus {
  name: string;
  state?: { running?: { startedAt: string }; terminated?: { exitCode: number; reason?: string; startedAt: string; finishedAt: string } };
}
interface SuggestedRule {
  source: string;
  methods?: string[];
  paths?: string[];
  actions?: string[];
  resources?: string[];
}
interface PodJson {
  metadata: { name: string; uid: string };
  spec: {
    initContainers?: { name: string; restartPolicy?: string; volumeMounts?: { name: string; mountPath: string }[] }[];
    containers: { name: string; volumeMounts?: { name: string; mountPath: string }[] }[];
  };
  status: { phase: string; initContainerStatuses?: ContainerStatus[]; containerStatuses?: ContainerStatus[] };
}

async function ok(args: readonly string[], namespace?: string, input?: string): Promise<string> {
  const res = await kubectl(args, { ...(namespace ? { namespace } : {}), ...(input === undefined ? {} : { input }) });
  if (res.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${res.stderr}`);
  return res.stdout;
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await sleep(1000);
  }
  const reason = last instanceof Error ? ` (last error: ${last.message})` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason}`);
}

function terminated(p: PodJson, name: string): { exitCode: number; startedAt: string; finishedAt: string } {
  const state = status(p, name)?.state?.terminated;
  if (!state) throw new Error(`container ${name} has not terminated: ${JSON.stringify(status(p, name))}`);
  return state;
}

interface AuditLine {
  kind: string;
  source: string;
  workload: { pod: string; namespace: string; serviceAccount: string };
  decision: { effect: string };
}
const auditLines = (logs: string): AuditLine[] =>
  logs
    .split('\n')
    .filter((l) => l.startsWith('{"schemaVersion"'))
    .map((l) => JSON.parse(l) as AuditLine)
    .filter((l) => l.kind === 'audit');

const pod = async (namespace: string, name: string): Promise<PodJson> => JSON.parse(await ok(['get', 'pod', name, '-o', 'json'], namespace)) as PodJson;
const status = (p: PodJson, name: string): ContainerStatus | undefined =>
  [...(p.status.initContainerStatuses ?? []), ...(p.status.containerStatuses ?? [])].find((c) => c.name === name);

suite('real pods on the e2e node', () => {
  let node: LocalNode;
  let minio: Minio;
  let upstream: Upstream;
  let system: string;
  let app: string;
  let release: string | undefined;
  const keep = process.env.PORTCULLIS_KEEP_NODE === '1';

  beforeAll(async () => {
    log('building the images from their Dockerfiles (make images)');
    execFileSync(process.execPath, [join(repoRoot, 'e2e/dist/node/images/main.js')], { stdio: ['ignore', 'inherit', 'inherit'] });
    const config = clusterConfig(process.env, repoRoot);
    const plane = readState(config.clusterDir);
    if (!plane) throw new Error(`no control plane in ${config.clusterDir}: run through make e2e (its global setup starts one)`);
    node = await startNodeOn({ config, state: plane }, process.env, repoRoot, log);
    const gateway = node.config.network.gatewayIp;
    minio = await startMinio({ host: gateway });
    upstream = await startOpenAiStandIn(gateway);
    const s3 = new S3Client(minio.clientConfig);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    s3.destroy();

    app = await createNamespace('pods-app', RESTRICTED);
    system = await createNamespace('portcullis-system');
    log(`helm install into ${system} (webhook as a pod, self-signed TLS through its Service)`);
    // A release name of its own: the chart's cluster-scoped objects (ClusterRoles, the webhook
    // configuration) carry it, and a reused control plane may still hold an earlier run's.
    release = `pods-${system.slice(-8)}`;
    const installed = await helmWithValues(['install', release, join(repoRoot, 'charts/portcullis'), '--namespace', system, '--wait', '--timeout', '8m'], chartValues(app));
    if (installed.code !== 0) {
      const pods = await kubectl(['get', 'pods,events', '-o', 'wide'], { namespace: system });
      throw new Error(`helm install failed: ${installed.stderr}\n${pods.stdout}`);
    }
    await ok(['apply', '-f', '-'], app, appResources(minio, upstream).map((o) => stringify(o)).join('---\n'));
  }, 30 * 60_000);

  afterAll(async () => {
    // A failed deletion test may leave the idle pod's finalizer, which would hold its namespace forever.
    if (app) await kubectl(['patch', 'pod', 'e2e-idle', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]'], { namespace: app });
    if (release) await helm(['uninstall', release, '--namespace', system, '--wait', '--timeout', '2m', '--ignore-not-found']);
    if (system) await kubectl(['delete', 'namespace', system, app, '--wait=false']);
    await upstream?.close();
    await minio?.stop();
    if (node && !keep) {
      await stopNode(node.config.dir);
      await kubectl(['delete', 'node', node.state.nodeName, '--ignore-not-found']);
    }
  }, 120_000);

  describe('an injected Job', () => {
    const job = 'e2e-app';
    let podName: string;
    let finished: PodJson;

    beforeAll(async () => {
      await ok(['apply', '-f', '-'], app, stringify(appJob(job)));
      const result = await waitFor(`job ${job} to finish`, 6 * 60_000, async () => {
        const j = JSON.parse(await ok(['get', 'job', job, '-o', 'json'], app)) as { status: { conditions?: { type: string; status: string }[] } };
        const c = j.status.conditions?.find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
        return c?.type;
      }).catch(async (err: unknown) => {
        const dump = await kubectl(['get', 'pods,events', '-o', 'wide'], { namespace: app });
        throw new Error(`${String(err)}\n${dump.stdout}`);
      });
      podName = (await ok(['get', 'pods', '-l', `job-name=${job}`, '-o', 'jsonpath={.items[0].metadata.name}'], app)).trim();
      if (result !== 'Complete') {
        const logs = await kubectl(['logs', podName, '--all-containers'], { namespace: app });
        throw new Error(`job ${job} failed:\n${logs.stdout}${logs.stderr}`);
      }
      // The kubelet stops the native sidecar once the app has exited; wait for its final state.
      finished = await waitFor('the sidecar to be stopped after the Job', 60_000, async () => {
        const p = await pod(app, podName);
        return status(p, 'portcullis-proxy')?.state?.terminated ? p : undefined;
      });
    }, 8 * 60_000);

    it('runs to completion: the SDKs reach MinIO and the OpenAI stand-in with only the injected variables', async () => {
      const out = JSON.parse((await ok(['logs', podName, '-c', 'app'], app)).trim().split('\n').at(-1) ?? '{}') as {
        s3: { wrote: string; read: string };
        chat: string;
        env: string[];
      };
      expect(out.s3.read).toBe(out.s3.wrote);
      expect(out.chat).toBe(CHAT_ANSWER);
      expect(out.env).toEqual(expect.arrayContaining(['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'OPENAI_BASE_URL', 'OPENAI_API_KEY']));
      // What arrived upstream carried the real key the app never had; MinIO holds the object under its own check.
      expect(upstream.received.filter((r) => r.url === '/v1/chat/completions').length).toBeGreaterThanOrEqual(1);
      expect(upstream.received.every((r) => r.headers.authorization === `Bearer ${OPENAI_KEY}`)).toBe(true);
      const s3 = new S3Client(minio.clientConfig);
      const stored = await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'from-pod.txt' }))).Body?.transformToString();
      s3.destroy();
      expect(stored).toBe(out.s3.wrote);
    });

    it('ran the proxy as a native sidecar that started before the app and outlived it, then stopped cleanly', () => {
      const proxy = finished.spec.initContainers?.find((c) => c.name === 'portcullis-proxy');
      expect(proxy?.restartPolicy).toBe('Always');
      const sidecar = terminated(finished, 'portcullis-proxy');
      const appState = terminated(finished, 'app');
      expect(appState.exitCode).toBe(0);
      expect(sidecar.exitCode).toBe(0);
      expect(Date.parse(sidecar.startedAt)).toBeLessThanOrEqual(Date.parse(appState.startedAt));
      expect(Date.parse(sidecar.finishedAt)).toBeGreaterThanOrEqual(Date.parse(appState.finishedAt));
    });

    it('kubectl logs -c portcullis-proxy shows an audit line per call, naming the pod', async () => {
      const audit = auditLines(await ok(['logs', podName, '-c', 'portcullis-proxy'], app));
      expect(audit.map((l) => l.source).sort()).toEqual(expect.arrayContaining(['openai', 's3', 's3']));
      for (const line of audit) {
        expect(line.workload).toEqual(expect.objectContaining({ pod: podName, namespace: app, serviceAccount: 'agent' }));
        expect(line.decision.effect).toBe('Allow');
      }
    });

    it('portcullis policy suggest reads the same log through the API server and the kubelet (issue 19)', async () => {
      const r = await runCli(['policy', 'suggest', '-n', app, '--pod', podName], { env: { KUBECONFIG: clusterEnv().kubeconfigPath } });
      expect(r.code).toBe(0);
      // The CLI says what it read: the Job's three calls, and the proxy's own log lines it passed over.
      expect(r.stderr).toMatch(/^read 3 audit lines, \d+ operational log lines passed over \(not audit lines\)\n$/);
      expect(r.stdout).toContain(`audit lines of ${app}/agent`);
      // What the Job called, and nothing else: its chat completion and the object it wrote and read back.
      const docs = parseAllDocuments(r.stdout).map((d) => d.toJS() as { kind: string; metadata: { namespace: string }; spec: { rules: SuggestedRule[] } });
      expect(docs.map((d) => [d.kind, d.metadata.namespace])).toEqual([['EgressPolicy', app]]);
      const rules = docs[0]?.spec.rules ?? [];
      expect(rules.map((x) => ({ source: x.source, methods: x.methods, paths: x.paths, actions: x.actions, resources: x.resources }))).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ source: 'openai', methods: ['POST'], paths: ['/v1/chat/completions'] }),
          // Actions seen on the same resources share a rule (cli/src/suggest/rules-aws.ts).
          expect.objectContaining({ source: 's3', actions: ['s3:GetObject', 's3:PutObject'], resources: [`arn:aws:s3:::${BUCKET}/from-pod.txt`] }),
        ]),
      );
      expect(rules).toHaveLength(2);
    });
  });

  describe('a running injected pod', () => {
    const name = 'e2e-idle';
    let running: PodJson;

    beforeAll(async () => {
      await ok(['apply', '-f', '-'], app, stringify(idlePod(name)));
      running = await waitFor(`pod ${name} to run`, 3 * 60_000, async () => {
        const p = await pod(app, name);
        return status(p, 'app')?.state?.running && status(p, 'portcullis-proxy')?.state?.running ? p : undefined;
      });
    }, 4 * 60_000);

    it("keeps the proxy's Secret volumes and tokens out of the app container (exec into it and look)", async () => {
      // The proxy's volumes the app does not mount (the app's own service-account token may sit at the
      // path where the proxy's API token sits in the proxy's container: that one is the app's).
      const appMounts = running.spec.containers.find((c) => c.name === 'app')?.volumeMounts ?? [];
      const proxyOnly = (running.spec.initContainers?.find((c) => c.name === 'portcullis-proxy')?.volumeMounts ?? []).filter(
        (m) => !appMounts.some((a) => a.name === m.name || a.mountPath === m.mountPath),
      );
      expect(proxyOnly.length).toBeGreaterThanOrEqual(2);
      const secrets = [OPENAI_KEY, minio.secretAccessKey];
      const res = await kubectl(['exec', name, '-c', 'app', '--', 'node', '-e', BREAK_IN_SCRIPT, JSON.stringify(secrets), JSON.stringify(proxyOnly.map((m) => m.mountPath))], {
        namespace: app,
      });
      expect(res.stderr).toBe('');
      const found = JSON.parse(res.stdout) as { paths: Record<string, string>; found: string[]; audiences: string[]; filesRead: number };
      expect(found.filesRead).toBeGreaterThan(10);
      for (const m of proxyOnly) expect(found.paths[m.mountPath]).toBe('ENOENT');
      expect(found.found).toEqual([]);
      expect(found.audiences.filter((a) => a.includes('portcullis'))).toEqual([]);
    });

    it('passes the restricted Pod Security Standard, which refuses a pod that breaks it', async () => {
      expect(status(running, 'portcullis-proxy')?.state?.running).toBeDefined();
      const rejected = await kubectl(['run', 'root-app', '--image', 'portcullis.local/e2e-app:e2e', '--image-pull-policy', 'Never', '--overrides', JSON.stringify({ spec: { securityContext: { runAsUser: 0 } } })], {
        namespace: app,
      });
      expect(rejected.code).not.toBe(0);
      expect(rejected.stderr).toMatch(/violates PodSecurity "restricted:latest"/);
    });

    it('ends the sidecar cleanly when the pod is deleted', async () => {
      const logs = kubectl(['logs', '-f', name, '-c', 'portcullis-proxy'], { namespace: app });
      await sleep(500);
      await ok(['delete', 'pod', name, '--wait=false'], app);
      // The pod's finalizer (world.ts) keeps the object after the kubelet stopped its containers, so their
      // final states can be read; then the test lets it go.
      const stopped = await waitFor('the containers of the deleted pod to stop', 90_000, async () => {
        const p = await pod(app, name);
        return status(p, 'portcullis-proxy')?.state?.terminated && status(p, 'app')?.state?.terminated ? p : undefined;
      });
      await ok(['patch', 'pod', name, '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]'], app);
      expect(terminated(stopped, 'portcullis-proxy').exitCode).toBe(0);
      expect(terminated(stopped, 'app').exitCode).toBe(0);
      const streamed = await logs;
      expect(streamed.stdout).toMatch(/"signal":"SIGTERM","msg":"stopping"/);
    });
  });
});
