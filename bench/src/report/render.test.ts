import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from './render.ts';
import { withoutPeers, withPeers } from './testdata/results.ts';

const page = (r: ReturnType<typeof withPeers>): string => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-render-'));
  try {
    return render(r, join(dir, 'results.json'), join(dir, 'no-plots'), dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

const targetRow = (md: string, what: string): string => md.split('\n').find((l) => l.startsWith(`| ${what}`)) ?? '';

describe('BENCHMARKS.md with and without the peers', () => {
  it('shows the peer targets with their verdicts and the upstream chunk-signature column', () => {
    const md = page(withPeers());
    expect(targetRow(md, 'SigV4 JSON throughput, 1 KiB, vs aws-sigv4-proxy')).toContain('| 2.25× | **met** |');
    expect(targetRow(md, 'bearer throughput and RSS, 1 KiB, vs iron-proxy')).toContain('**missed**');
    expect(md).toContain('| aws-sigv4-proxy aws-chunked PutObject (chunks forwarded) | 200 |');
    expect(md).toMatch(/\| aws-sigv4-proxy aws-chunked PutObject \(chunks forwarded\) \|.*\| invalid \(1 round; chunk 0 signature does not match\) \|/);
    expect(md).toContain('| iron-proxy (bearer, placeholder swap) | 12000 |');
    expect(md).toMatch(/\| peers \| aws-sigv4-proxy and iron-proxy from `\/work\/shared\/peers`/);
    expect(md).not.toContain('Peers not measured');
  });

  it('says the peers were skipped and why, and leaves their rows not available', () => {
    const md = page(withoutPeers());
    expect(md).toMatch(/\| peers \| \*\*skipped\*\*: \/nowhere\/shared\/peers does not exist/);
    expect(md).toContain('Peers not measured in this run: /nowhere/shared/peers does not exist');
    expect(targetRow(md, 'SigV4 JSON throughput, 1 KiB, vs aws-sigv4-proxy')).toContain('| — | not available |');
    expect(md).toContain('| iron-proxy (bearer, placeholder swap) | not available: /nowhere/shared/peers does not exist');
  });
});
