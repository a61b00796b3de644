// http-proxy-3 (npm) as the proxy library alternative, configured the way the sidecar would use it:
// keep-alive agent with the sidecar's settings, Authorization replaced on the way out, Host rewritten.
// The credential goes in through `options.headers` and the app's copy is deleted before proxying: setting
// it in the documented 'proxyReq' event throws ERR_HTTP_HEADERS_SENT under overload (the event fires on
// the socket's arrival, after a bodiless request may already have been flushed) and kills the process.
import { Agent, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProxyServer } from 'http-proxy-3';

const { upstreamPort, bearerKey } = JSON.parse(process.argv[2] ?? '{}') as { upstreamPort: number; bearerKey: string };
const agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 32, scheduling: 'lifo' });
const auth = `Bearer ${bearerKey}`;
const proxy = createProxyServer({ target: `http://127.0.0.1:${upstreamPort}`, agent, changeOrigin: true, xfwd: false, headers: { authorization: auth } });
proxy.on('error', (_err, _req, res) => {
  if ('writeHead' in res && !res.headersSent) res.writeHead(502).end();
  else res.destroy();
});
const server = createServer({ requestTimeout: 0, keepAliveTimeout: 65_000 }, (req, res) => {
  delete req.headers.authorization;
  delete req.headers['proxy-authorization'];
  proxy.web(req, res);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ listening: (server.address() as AddressInfo).port })}\n`));
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
