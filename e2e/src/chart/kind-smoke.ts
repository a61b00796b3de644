// `make kind-e2e`: what the local control plane cannot show (it has no kubelet), checked on a kind
// cluster where the chart is deployed: an opted-in pod starts with the injected proxy, which proves its
// identity, authorizes each call, injects the credential, forwards and audits.
//
//   node e2e/dist/chart/kind-smoke.js --context kind-portcullis --namespace portcullis-smoke \
//     --image <sidecar image> --upstream http://<webhook service>.<namespace>.svc:9090 [--keep]
//
// The upstream is the webhook's plain-HTTP admin port: an in-cluster server that answers GET /healthz,
// so an allowed call completes without the internet. Runs kubectl from $KUBECTL or PATH.
import { execFile } from 'node:child_process';
import { parseArgs } from 'node:util';
import { POD, SOURCE_PORT, smokeManifests, smokePod, type SmokeTarget } from './kind-smoke-manifests.js';

interface SmokeOptions extends SmokeTarget {
  readonly context: string;
  readonly keep: boolean;
  readonly kubectl: string;
}


function kubectl(o: SmokeOptions, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(o.kubectl, ['--context', o.context, '--namespace', o.namespace, ...args], { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`kubectl ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
    // A kubectl that exits before reading its input closes the pipe; its exit status reports why.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
  });
}

/** Runs a GET from inside the app container and returns the status and body. */
async function appGet(o: SmokeOptions, url: string): Promise<{ status: number; body: string }> {
  const script = `fetch(${JSON.stringify(url)}).then(async (r) => console.log(JSON.stringify({ status: r.status, body: await r.text() })))`;
  const out = await kubectl(o, ['exec', POD, '-c', 'app', '--', 'node', '-e', script]);
  return JSON.parse(out) as { status: number; body: string };
}

function check(ok: boolean, what: string, detail: string): void {
  if (!ok) throw new Error(`${what}: ${detail}`);
  console.log(`  ok: ${what}`);
}

async function step(title: string, fn: () => Promise<void>): Promise<void> {
  console.log(`kind-e2e: ${title}`);
  await fn();
}

async function smoke(o: SmokeOptions): Promise<void> {
  const local = `http://127.0.0.1:${SOURCE_PORT}`;
  await step(`namespace ${o.namespace}: a Secret, a CredentialSource, an EgressPolicy allowing GET /healthz only`, async () => {
    await kubectl(o, ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: smokeManifests(o) }));
    await kubectl(o, ['wait', '--for=jsonpath={.status.conditions[?(@.type=="Ready")].status}=True', 'credentialsource/webhook-admin', '--timeout=60s']);
    check(true, 'the status controller marked the CredentialSource Ready', '');
  });
  await step('an annotated pod starts with the proxy injected', async () => {
    await kubectl(o, ['apply', '-f', '-'], JSON.stringify(smokePod(o)));
    await kubectl(o, ['wait', '--for=condition=Ready', `pod/${POD}`, '--timeout=180s']);
    const spec = (JSON.parse(await kubectl(o, ['get', 'pod', POD, '-o', 'json'])) as { spec: { initContainers?: { name: string }[]; containers: { name: string }[] } }).spec;
    const names = [...(spec.initContainers ?? []), ...spec.containers].map((c) => c.name);
    check(names.includes('portcullis-proxy'), 'the pod has the portcullis-proxy container and is Ready', names.join(', '));
  });
  await step('calls from the app through the proxy', async () => {
    const allowed = await appGet(o, `${local}/healthz`);
    check(allowed.status === 200, 'GET /healthz is allowed and forwarded', JSON.stringify(allowed));
    const denied = await appGet(o, `${local}/metrics`);
    check(denied.status === 403 && denied.body.includes('POLICY_DENIED'), 'GET /metrics is denied with POLICY_DENIED', JSON.stringify(denied));
    const metrics = await appGet(o, 'http://127.0.0.1:15190/metrics');
    check(metrics.body.includes('portcullis_sidecar_requests_total'), 'the proxy counts requests on :15190/metrics', `status ${metrics.status}`);
  });
  await step('audit lines name the workload', async () => {
    const logs = await kubectl(o, ['logs', POD, '-c', 'portcullis-proxy']);
    const audit = logs.split('\n').filter((l) => l.includes('"kind":"audit"'));
    check(audit.some((l) => l.includes('"serviceAccount":"smoke"') && l.includes('"/healthz"')), 'the allowed call is audited with pod identity', `${audit.length} audit lines`);
    check(audit.some((l) => l.includes('"/metrics"') && l.includes('"Deny"')), 'the denied call is audited as Deny', `${audit.length} audit lines`);
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { context: { type: 'string' }, namespace: { type: 'string' }, image: { type: 'string' }, upstream: { type: 'string' }, keep: { type: 'boolean' } },
    strict: true,
  });
  const need = (name: 'context' | 'namespace' | 'image' | 'upstream'): string => {
    const v = values[name];
    if (!v) throw new Error(`--${name} is required (see the usage at the top of e2e/src/chart/kind-smoke.ts)`);
    return v;
  };
  const o: SmokeOptions = { context: need('context'), namespace: need('namespace'), image: need('image'), upstream: need('upstream'), keep: values.keep === true, kubectl: process.env.KUBECTL || 'kubectl' };
  try {
    await smoke(o);
    console.log('kind-e2e: passed');
  } finally {
    const created = [`pod/${POD}`, 'egresspolicy/smoke-healthz-only', 'credentialsource/webhook-admin', 'secret/smoke-key', 'serviceaccount/smoke'];
    if (!o.keep) await kubectl(o, ['delete', ...created, '--ignore-not-found', '--wait=false']).catch((err: unknown) => console.error(String(err)));
  }
}

main().catch((err: unknown) => {
  console.error(`kind-e2e: FAILED: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
