// The sidecar's per-request JavaScript without sockets: classify + prepare of a bearer call and of a
// SigV4 DynamoDB GetItem (the `make bench` workloads), timed in a loop. Runs on Bun (what ships) or Node;
// µs per call, so a change to the pure core can be judged in seconds, before an A/B with ab.ts.
//
//   bun bench/src/micro/hot-path.ts [--iterations 50000]     (after make build: it imports sidecar/dist)
import { EventEmitter } from 'node:events';
import { parseArgs } from 'node:util';
import { resolveSource, type CredentialSource } from '@portcullis/shared';
import { AwsSource } from '../../../sidecar/dist/sources/aws-source.js';
import { HttpSource } from '../../../sidecar/dist/sources/http-source.js';
import { signDynamo } from '../sigv4/sign.ts';
import { AWS_PLACEHOLDER, AWS_REAL, BEARER_KEY, PLACEHOLDER } from '../targets/world.ts';

function origin<T>(value: T): { get: () => T; problem: () => undefined; principal: Record<string, string>; close: () => void } {
  return { get: () => value, problem: () => undefined, principal: {}, close: () => undefined };
}

/** An IncomingMessage stand-in: headers, method, and a body emitted on the next tick. */
function request(method: string, url: string, headers: Record<string, string>, body?: string): EventEmitter & { method: string; url: string; headers: Record<string, string> } {
  const req = Object.assign(new EventEmitter(), { method, url, headers });
  if (body !== undefined) {
    queueMicrotask(() => {
      req.emit('data', Buffer.from(body));
      req.emit('end');
    });
  }
  return req;
}

function resolved(spec: unknown): never {
  const cs = { apiVersion: 'portcullis.dev/v1alpha1', kind: 'CredentialSource', metadata: { name: 'x', namespace: 'bench' }, spec } as unknown as CredentialSource;
  const r = resolveSource(cs);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.source as never;
}

async function time(name: string, n: number, once: () => unknown): Promise<void> {
  for (let i = 0; i < Math.min(n, 5000); i++) await once();
  // CPU time, not wall time: on a shared machine the wall clock also counts other processes' turns.
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await once();
  const c = process.cpuUsage(c0);
  console.log(`${name}: ${((c.user + c.system) / n).toFixed(2)} µs CPU per call`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { iterations: { type: 'string', default: '50000' } } });
  const n = Number(values.iterations);
  const now = (): Date => new Date();
  const http = new HttpSource(resolved({ type: 'http', port: 8080, http: { upstream: 'http://127.0.0.1:9/', allowPlaintextUpstream: true, injection: { type: 'Bearer' }, secretRef: { name: 'k', key: 'key' } } }), origin(BEARER_KEY), 'k');
  const aws = new AwsSource(resolved({ type: 'aws', port: 8081, aws: { endpoint: 'http://127.0.0.1:9', allowPlaintextEndpoint: true, staticKeys: { secretRef: { name: 'aws-keys' } } } }), origin(AWS_REAL), 'k', now);
  const bearerHeaders = { host: '127.0.0.1:8080', 'user-agent': 'wrk', accept: '*/*', authorization: `Bearer ${PLACEHOLDER}` };
  await time('bearer classify+prepare', n, () => {
    const req = request('GET', '/bytes/1024', bearerHeaders);
    const c = http.classify(req as never, '/bytes/1024', '');
    return http.prepare(req as never, c, '');
  });
  const signed = await signDynamo(AWS_PLACEHOLDER, 8081, 'GetItem', new Date());
  const awsHeaders = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
  await time('sigv4 classify+prepare', n, async () => {
    const req = request('POST', '/', awsHeaders, signed.body);
    const c = await aws.classify(req as never, '/', '');
    return aws.prepare(req as never, c);
  });
  http.close();
  aws.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
