import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locatePeers, readmeVersions } from './locate.ts';

const README = `| binary | source | version | what it is |
|---|---|---|---|
| \`aws-sigv4-proxy\` | awslabs/aws-sigv4-proxy, commit 4165dc7 | 1.11 | SigV4 re-signing reverse proxy |
| \`iron-proxy\` | ironsh/iron-proxy, commit e05a0a8 | v0.46.0-rc.1-1 | MITM egress proxy |
`;

describe('finding the peer binaries', () => {
  it('reads each binary version and source from the peers README table', () => {
    expect(readmeVersions(README)).toEqual({
      'aws-sigv4-proxy': '1.11 (awslabs/aws-sigv4-proxy, commit 4165dc7)',
      'iron-proxy': 'v0.46.0-rc.1-1 (ironsh/iron-proxy, commit e05a0a8)',
    });
  });

  it('skips the peers, saying why, when the folder is missing', () => {
    const p = locatePeers('/nonexistent/shared/peers');
    expect(p.available).toBe(false);
    expect(p.reason).toContain('/nonexistent/shared/peers does not exist');
  });

  it('skips the peers when one binary is missing, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-peers-'));
    try {
      writeFileSync(join(dir, 'aws-sigv4-proxy'), 'binary');
      writeFileSync(join(dir, 'README.md'), README);
      expect(locatePeers(dir)).toMatchObject({ available: false, reason: expect.stringContaining('iron-proxy missing') });
      writeFileSync(join(dir, 'iron-proxy'), 'binary');
      const found = locatePeers(dir);
      expect(found.available).toBe(true);
      expect(found.versions['iron-proxy']).toMatch(/^v0\.46\.0-rc\.1-1 \(ironsh\/iron-proxy, commit e05a0a8\), sha256 [0-9a-f]{12}$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
