// nginx from Debian as the reference proxy: one worker, keep-alive to the upstream, Authorization set with
// proxy_set_header, request bodies streamed (no disk buffering), pinned to the proxy core.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnPinned, type Proc } from '../lib/procs.ts';
import { waitForHttp } from '../lib/http.ts';

export function nginxConf(dir: string, listenPort: number, upstreamPort: number, bearerKey: string): string {
  return `worker_processes 1;
daemon off;
pid ${join(dir, 'nginx.pid')};
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy')};
  upstream app { server 127.0.0.1:${upstreamPort}; keepalive 64; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:${listenPort} reuseport;
    client_max_body_size 0;
    keepalive_requests 1000000;
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host 127.0.0.1:${upstreamPort};
      proxy_set_header Authorization "Bearer ${bearerKey}";
      proxy_set_header Proxy-Authorization "";
      proxy_request_buffering off;
    }
  }
}
`;
}

export async function startNginx(dir: string, listenPort: number, upstreamPort: number, bearerKey: string, core: number): Promise<Proc> {
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, nginxConf(dir, listenPort, upstreamPort, bearerKey));
  const proc = spawnPinned('nginx', 'nginx', ['-p', dir, '-c', conf, '-e', 'stderr'], { core });
  // A bare GET without the bearer: nginx adds it, so 200 means proxy and upstream are both up.
  await waitForHttp(`http://127.0.0.1:${listenPort}/bytes/1`, 10_000, proc);
  return proc;
}
