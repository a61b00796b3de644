import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { finalStage } from './dockerfile.js';

const repoRoot = fileURLToPath(new URL('../../../..', import.meta.url));
const read = (p: string): string => readFileSync(join(repoRoot, p), 'utf8');

describe('finalStage', () => {
  it('reads the sidecar image: distroless base by build arg, one executable, numeric user', () => {
    const stage = finalStage(read('sidecar/Dockerfile'));
    expect(stage.base).toBe('gcr.io/distroless/cc-debian12:nonroot');
    expect(stage.baseArg).toBe('RUNTIME_IMAGE');
    expect(stage.instructions).toEqual([
      { kind: 'COPY', from: 'build', sources: ['/out/portcullis-sidecar'], dest: '/usr/local/bin/portcullis-sidecar' },
      { kind: 'USER', user: '65532:65532' },
      { kind: 'EXPOSE', ports: ['15190'] },
      { kind: 'ENTRYPOINT', argv: ['/usr/local/bin/portcullis-sidecar'] },
    ]);
  });

  it("reads the webhook image's continuation lines, ENV, WORKDIR and every COPY --from", () => {
    const stage = finalStage(read('webhook/Dockerfile'), { NODE_IMAGE: 'node:24-local' });
    expect(stage.base).toBe('node:24-local');
    const copies = stage.instructions.filter((i) => i.kind === 'COPY');
    expect(copies.map((c) => (c.kind === 'COPY' ? `${c.from} ${c.sources.join(' ')} ${c.dest}` : ''))).toContain('deps /app/shared/node_modules shared/node_modules');
    expect(stage.instructions).toContainEqual({ kind: 'ENV', name: 'NODE_ENV', value: 'production' });
    expect(stage.instructions).toContainEqual({ kind: 'WORKDIR', dir: '/app' });
    expect(stage.instructions.find((i) => i.kind === 'RUN')).toEqual(expect.objectContaining({ command: expect.stringMatching(/^rm -rf \/usr\/local\/lib\/node_modules\/npm .*\/usr\/local\/bin\/yarnpkg$/) }));
  });

  it('refuses what it cannot build without an engine rather than skipping it', () => {
    expect(() => finalStage('FROM scratch\nADD x.tar /\n')).toThrow(/unsupported instruction ADD/);
    expect(() => finalStage('FROM scratch\nCOPY --chown=1:1 a /a\n')).toThrow(/unsupported COPY flag --chown=1:1/);
    expect(() => finalStage('FROM ${BASE}\n')).toThrow(/no ARG defines/);
    expect(() => finalStage('COPY a /a\n')).toThrow(/before any FROM/);
  });
});

describe("the image recipes run the webhook's deps stage as the Dockerfile does", () => {
  it('with the same npm ci and the same folders (e2e/src/node/images/recipes.ts mirrors these lines)', () => {
    const dockerfile = read('webhook/Dockerfile');
    const recipes = read('e2e/src/node/images/recipes.ts');
    expect(dockerfile).toContain('RUN npm ci --omit=dev --ignore-scripts --workspace @portcullis/webhook');
    expect(recipes).toContain("['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--workspace', '@portcullis/webhook']");
    expect(dockerfile).toContain('mkdir -p shared/node_modules');
    expect(dockerfile).toMatch(/find node_modules shared\/node_modules -type f \\\( -name '\*\.map' -o -name '\*\.ts' -o -name '\*\.mts' -o -name '\*\.cts' -o -name '\*\.md' \\\) -delete/);
    expect(recipes).toContain("['node_modules', 'shared/node_modules', '-type', 'f', '(', '-name', '*.map', '-o', '-name', '*.ts', '-o', '-name', '*.mts', '-o', '-name', '*.cts', '-o', '-name', '*.md', ')', '-delete']");
  });
});
