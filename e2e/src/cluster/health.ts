import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';

export interface TlsClient {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** GETs `url` and resolves with status and body; rejects on network errors or after `timeoutMs`. */
export function get(url: string, tls?: TlsClient, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = request(url, { ...tls, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export async function etcdHealthy(clientPort: number): Promise<boolean> {
  const res = await get(`http://127.0.0.1:${clientPort}/health`);
  return res.status === 200 && (JSON.parse(res.body) as { health?: string }).health === 'true';
}

export async function apiserverReady(server: string, tls: TlsClient): Promise<boolean> {
  const res = await get(`${server}/readyz`, tls);
  return res.status === 200;
}
