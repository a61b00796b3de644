// sidecar/Dockerfile and webhook/Dockerfile cannot be built here (no Docker engine), so what can rot
// without a build is checked as text: every npm workspace manifest is copied (npm ci needs them all),
// the final stage holds production dependencies only and runs as a numeric non-root user, and the image
// each one builds is the one the chart's values name.
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

describe.each(['sidecar', 'webhook'] as const)('%s/Dockerfile', (component) => {
  const text = readFileSync(join(repoRoot, component, 'Dockerfile'), 'utf8');
  const stages = text.split(/^FROM /m).slice(1);
  const final = stages.at(-1) ?? '';

  it('builds on Node 24 in several stages', () => {
    expect(text).toMatch(/^ARG NODE_IMAGE=node:24-/m);
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(stages.every((s) => s.startsWith('${NODE_IMAGE}'))).toBe(true);
  });

  it.each(workspaces)('copies the %s workspace manifest into both npm ci stages', (workspace) => {
    const copies = text.split('\n').filter((l) => l.trim() === `COPY ${workspace}/package.json ${workspace}/`);
    expect(copies).toHaveLength(2);
  });

  it('compiles with tsc -b and installs production dependencies only for the final stage', () => {
    expect(text).toContain(`tsc -b ${component}`);
    expect(text).toMatch(new RegExp(`npm ci --omit=dev --ignore-scripts --workspace @portcullis/${component}`));
  });

  it('runs the compiled main.ts as a numeric non-root user', () => {
    expect(final).toMatch(/^USER [1-9][0-9]*:[1-9][0-9]*$/m);
    expect(final).toContain(`ENTRYPOINT ["node", "/app/${component}/dist/main.js"]`);
    expect(existsSync(join(repoRoot, component, 'src/main.ts'))).toBe(true);
    expect(final).not.toMatch(/^RUN .*npm (ci|install)/m);
  });

  it('builds the image the chart names by default', () => {
    expect(text).toContain(`-t ${values.imageRegistry}/${values[component].image.repository}:`);
  });
});
