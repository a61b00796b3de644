// The floor for a Node proxy: a plain node:http pass-through doing what the sidecar's forward step does
// (keep-alive agent with the sidecar's settings, hop-by-hop and credential headers dropped, Host and the
// bearer set, bodies piped both ways with backpressure, upstream destroyed when the client goes away) and
// nothing else: no identity, policy, audit line or metrics. pipe(), not stream.pipeline(): see
// sidecar/src/proxy/forward.ts for what pipeline() costs per call.
import { Agent, createServer, request, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

const { upstreamPort, bearerKey } = JSON.parse(process.argv[2] ?? '{}') as { upstreamPort: number; bearerKey: string };
const agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 32, scheduling: 'lifo' });
const host = `127.0.0.1:${upstreamPort}`;
const auth = `Bearer ${bearerKey}`;
const DROP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'authorization', 'proxy-authorization']);

const server = createServer({ requestTimeout: 0, keepAliveTimeout: 65_000 }, (req, res) => {
  const headers: OutgoingHttpHeaders = {};
  const incoming = req.headers;
  for (const name in incoming) if (!DROP.has(name)) headers[name] = incoming[name];
  headers.host = host;
  headers.authorization = auth;
  const up = request({ host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers, agent }, (upRes) => {
    const out: OutgoingHttpHeaders = {};
    for (const name in upRes.headers) if (!DROP.has(name)) out[name] = upRes.headers[name];
    res.writeHead(upRes.statusCode ?? 502, out);
    res.flushHeaders();
    upRes.on('error', () => res.destroy());
    upRes.pipe(res);
  });
  up.on('error', () => {
    if (!res.headersSent) res.writeHead(502).end();
    else res.destroy();
  });
  res.on('close', () => {
    if (!res.writableFinished) up.destroy();
  });
  req.on('error', () => up.destroy());
  req.pipe(up);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ listening: (server.address() as AddressInfo).port })}\n`));
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
