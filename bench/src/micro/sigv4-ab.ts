// SigV4 pure-core A/B in one process: the shared/src/aws of another checkout (A, e.g. `git archive HEAD
// shared/src | tar -x -C /tmp/old`) against this one (B), alternating rounds, CPU µs per call of
// parseSigV4 (the app's Authorization) and resignRequest (a DynamoDB GetItem as the AWS SDK signs it).
//
//   bun bench/src/micro/sigv4-ab.ts /tmp/old/shared/src/aws/index.ts [B, default: this checkout's] [--rounds 6] [--iterations 100000]
import { parseArgs } from 'node:util';
import { signDynamo } from '../sigv4/sign.ts';
import { AWS_PLACEHOLDER, AWS_REAL } from '../targets/world.ts';

import { resolve } from 'node:path';
import type * as SharedAws from '@portcullis/shared';

type Shared = Pick<typeof SharedAws, 'parseSigV4' | 'resolveEndpoint' | 'SigningKeyCache' | 'resignRequest'>;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string', default: '6' }, iterations: { type: 'string', default: '100000' } } });
  const a = (await import(positionals[0] ?? '')) as Shared;
  // Paths, not static imports: Bun runs the TypeScript sources of both as they are.
  const b = (await import(positionals[1] ?? resolve(import.meta.dirname, '../../../shared/src/aws/index.ts'))) as Shared;
  const n = Number(values.iterations);
  const signed = await signDynamo(AWS_PLACEHOLDER, 8081, 'GetItem', new Date());
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) headers[k.toLowerCase()] = v;
  const bench = (m: Shared, what: 'parse' | 'resign'): number => {
    const scope = m.parseSigV4({ headers, query: '' });
    if (scope === undefined) throw new Error('unsigned');
    const endpoint = m.resolveEndpoint({ service: 'dynamodb', region: 'us-east-1', override: 'http://127.0.0.1:9' });
    const keys = new m.SigningKeyCache();
    const once = what === 'parse'
      ? () => m.parseSigV4({ headers, query: '' })
      : () => m.resignRequest({ method: 'POST', path: '/', query: '', headers, scope, credentials: AWS_REAL, endpoint, now: new Date(), signingKeys: keys, payloadSha256: 'a'.repeat(64) });
    for (let i = 0; i < 10_000; i++) once();
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) once();
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / n;
  };
  for (const what of ['parse', 'resign'] as const) {
    const ratios: number[] = [];
    for (let r = 0; r < Number(values.rounds); r++) {
      let ta: number;
      let tb: number;
      if (r % 2) {
        tb = bench(b, what);
        ta = bench(a, what);
      } else {
        ta = bench(a, what);
        tb = bench(b, what);
      }
      ratios.push(tb / ta);
      console.log(`${what} round ${r + 1}: A ${ta.toFixed(2)} µs, B ${tb.toFixed(2)} µs`);
    }
    ratios.sort((x, y) => x - y);
    console.log(`${what}: B/A median ${ratios[Math.floor(ratios.length / 2)]?.toFixed(3)} (${ratios.map((x) => x.toFixed(2)).join(' ')})`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
