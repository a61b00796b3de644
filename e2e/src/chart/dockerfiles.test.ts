// sidecar/Dockerfile and webhook/Dockerfile cannot be built here (no Docker engine), so what can rot
// without a build is checked as text: every npm workspace manifest is copied (npm ci needs them all), the
// final stage runs as a numeric non-root user and installs nothing, the sidecar ships as one Bun-compiled
// executable, the webhook on Node with production dependencies only, and the image each one builds is the
// one the chart's values name.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { chartDir, repoRoot } from './paths.js';

const workspaces = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
const values = parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as {
  imageRegistry: string;
  webhook: { image: { repository: string } };
  sidecar: { image: { repository: string } };
};

function dockerfile(component: 'sidecar' | 'webhook'): { text: string; stages: string[]; final: string } {
  const text = readFileSync(join(repoRoot, component, 'Dockerfile'), 'utf8');
  const stages = text.split(/^FROM /m).slice(1);
  return { text, stages, final: stages.at(-1) ?? '' };
}

describe.each(['sidecar', 'webhook'] as const)('%s/Dockerfile', (component) => {
  const { text, final } = dockerfile(component);

  it('builds on Node 24', () => {
    expect(text).toMatch(/^ARG NODE_IMAGE=node:24-/m);
  });

  it('compiles with tsc -b', () => {
    expect(text).toContain(`tsc -b ${component}`);
    expect(existsSync(join(repoRoot, component, 'src/main.ts'))).toBe(true);
  });

  it('runs as a numeric non-root user and installs nothing at run time', () => {
    expect(final).toMatch(/^USER [1-9][0-9]*:[1-9][0-9]*$/m);
    expect(final).not.toMatch(/^RUN .*npm (ci|install)/m);
  });

  it('builds the image the chart names by default', () => {
    expect(text).toContain(`-t ${values.imageRegistry}/${values[component].image.repository}:`);
  });
});

describe('sidecar/Dockerfile: one executable on Bun (ADR 6)', () => {
  const { text, stages, final } = dockerfile('sidecar');

  it.each(workspaces)('copies the %s workspace manifest into the npm ci stage', (workspace) => {
    expect(text.split('\n').filter((l) => l.trim() === `COPY ${workspace}/package.json ${workspace}/`)).toHaveLength(1);
  });

  it('compiles the JavaScript tsc built into an executable, as make build does, with the bun the lock file pins', () => {
    expect(stages[0]).toMatch(/^\$\{NODE_IMAGE\} AS build/);
    const flags = (source: string): string | undefined => /bun build (sidecar\/dist\/main\.js [^\n]*?)--outfile /.exec(source)?.[1];
    const makefile = readFileSync(join(repoRoot, 'Makefile'), 'utf8');
    expect(flags(text)).toMatch(/--compile/);
    expect(flags(text)).toBe(flags(makefile));
    expect(text).toContain('--outfile /out/portcullis-sidecar');
    const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
    expect(lock.packages['node_modules/bun']?.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('ships only the executable: no Node, no npm, no sources in the final stage', () => {
    expect(final).toMatch(/^\$\{RUNTIME_IMAGE\}/);
    expect(text).toMatch(/^ARG RUNTIME_IMAGE=gcr\.io\/distroless\/cc-debian12/m);
    expect(final.split('\n').filter((l) => l.startsWith('COPY '))).toEqual(['COPY --from=build /out/portcullis-sidecar /usr/local/bin/portcullis-sidecar']);
    expect(final).toContain('ENTRYPOINT ["/usr/local/bin/portcullis-sidecar"]');
  });

  it('exposes the admin port the webhook injects', () => {
    expect(final).toMatch(/^EXPOSE 15190$/m);
  });
});

describe('webhook/Dockerfile: Node, production dependencies only', () => {
  const { text, stages, final } = dockerfile('webhook');

  it('builds in several Node stages', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(stages.every((s) => s.startsWith('${NODE_IMAGE}'))).toBe(true);
  });

  it.each(workspaces)('copies the %s workspace manifest into both npm ci stages', (workspace) => {
    expect(text.split('\n').filter((l) => l.trim() === `COPY ${workspace}/package.json ${workspace}/`)).toHaveLength(2);
  });

  it('installs production dependencies only for the final stage and runs the compiled main.ts', () => {
    expect(text).toMatch(/npm ci --omit=dev --ignore-scripts --workspace @portcullis\/webhook/);
    expect(final).toContain('ENTRYPOINT ["node", "/app/webhook/dist/main.js"]');
  });
});
