// The floor under the webhook's admission cost: what Node's https server costs for the same exchange with
// none of the webhook's work. Same TLS (the certificate webhook-profile.ts writes, TLS 1.2+ defaults,
// keep-alive 120 s), the same body read, JSON.parse of the AdmissionReview, and an answer of the webhook's
// size (a 2,453-byte JSON patch, base64, as the annotated-pod review gets) — no injector, log line or
// metrics. Started by webhook-profile.ts like a webhook build (it takes the same flags and ignores the rest):
//
//   taskset -c 1 node bench/src/webhook-profile.ts --main webhook/dist/main.js --main bench/src/servers/webhook-floor.ts --wrk
//
// If this floor misses a latency target at some concurrency, no change inside the webhook's code meets it
// on one core (docs/adr/0032-webhook-admission-on-one-core.md).
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';

const argv = process.argv.slice(2);
const flag = (name: string): string => {
  const i = argv.indexOf(`--${name}`);
  const value = i >= 0 ? argv[i + 1] : undefined;
  if (value === undefined) throw new Error(`webhook-floor: --${name} is required (webhook-profile.ts passes it)`);
  return value;
};

const PATCH_BASE64 = Buffer.from(`[${'0,'.repeat(1225)}0]`).toString('base64');
const server = createServer({ cert: readFileSync(flag('tls-cert-file')), key: readFileSync(flag('tls-key-file')), minVersion: 'TLSv1.2' }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request?: { uid?: string } };
    const text = JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: review.request?.uid ?? '', allowed: true, patchType: 'JSONPatch', patch: PATCH_BASE64 },
    });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
});
server.keepAliveTimeout = 120_000;
const admin = createHttpServer((_req, res) => res.end('ok'));
server.listen(0, flag('address'), () => {
  admin.listen(0, flag('admin-address'), () => {
    const port = (server.address() as AddressInfo).port;
    const adminPort = (admin.address() as AddressInfo).port;
    console.log(JSON.stringify({ msg: 'portcullis webhook started', port, adminPort }));
  });
});
process.on('SIGTERM', () => process.exit(0));
