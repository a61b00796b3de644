// ironsh/iron-proxy as a peer: `iron-proxy -config <file>` with the README's example configuration, changed
// only where ../shared/peers/README.md says it must be for a local upstream: free loopback ports for every
// listener (metrics off :9090), a throwaway CA for its TLS listener, and the placeholder the bench's app
// sends as the proxy_value it swaps for the real key (env REAL_KEY) in Authorization. Its plain-HTTP
// listener routes by Host, so the app names the upstream in Host. It logs one audit line per request to
// stderr at the example's level "info" (as the sidecar writes one per request): that goes to a file, so
// the bench process on the load core does not read 20,000 lines a second.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitForHttp } from '../../lib/http.ts';
import { run, spawnPinned, type Proc } from '../../lib/procs.ts';

export interface IronProxySetup {
  readonly peersDir: string;
  readonly dir: string;
  readonly placeholder: string;
  readonly realKey: string;
  readonly core: number;
}

export interface IronProxyPorts {
  readonly dns: number;
  readonly http: number;
  readonly https: number;
  readonly tunnel: number;
  readonly metrics: number;
}

export function ironProxyConfig(ports: IronProxyPorts, caCert: string, caKey: string, placeholder: string): string {
  return `dns:
  listen: "127.0.0.1:${ports.dns}"
  proxy_ip: "127.0.0.1"
proxy:
  http_listen: "127.0.0.1:${ports.http}"
  https_listen: "127.0.0.1:${ports.https}"
  tunnel_listen: "127.0.0.1:${ports.tunnel}"
  upstream_deny_cidrs: ["169.254.169.254/32"]
tls:
  ca_cert: ${JSON.stringify(caCert)}
  ca_key: ${JSON.stringify(caKey)}
transforms:
  - name: allowlist
    config:
      domains: ["localhost"]
      cidrs: ["127.0.0.0/8"]
  - name: secrets
    config:
      secrets:
        - source: {type: env, var: REAL_KEY}
          proxy_value: ${JSON.stringify(placeholder)}
          match_headers: ["Authorization"]
          rules:
            - host: "127.0.0.1"
log:
  level: "info"
metrics:
  listen: "127.0.0.1:${ports.metrics}"
`;
}

/** A CA iron-proxy accepts (it refuses one without keyCertSign), made with openssl for this run only. */
async function throwawayCa(dir: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, 'ca.crt');
  const key = join(dir, 'ca.key');
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', '/CN=portcullis-bench-iron-proxy-ca', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ], { timeoutMs: 10_000 });
  return { cert, key };
}

export async function startIronProxy(s: IronProxySetup): Promise<{ proc: Proc; port: number }> {
  const ca = await throwawayCa(s.dir);
  const ports: IronProxyPorts = { dns: await freePort(), http: await freePort(), https: await freePort(), tunnel: await freePort(), metrics: await freePort() };
  const config = join(s.dir, 'iron-proxy.yaml');
  writeFileSync(config, ironProxyConfig(ports, ca.cert, ca.key, s.placeholder));
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', REAL_KEY: s.realKey };
  const proc = spawnPinned('iron-proxy', join(s.peersDir, 'iron-proxy'), ['-config', config], { core: s.core, env, logFile: join(s.dir, 'iron-proxy.log') });
  try {
    // Its metrics listener opens with the others; any HTTP answer there means it is up.
    await waitForHttp(`http://127.0.0.1:${ports.metrics}/`, 10_000, proc, (r) => r.status > 0);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { proc, port: ports.http };
}
