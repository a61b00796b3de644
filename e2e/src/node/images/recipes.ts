import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { IMAGE_REGISTRY, PAUSE_IMAGE } from '../layout.js';
import type { ImageRecipe } from './build.js';

export const IMAGE_TAG = 'e2e';
export const SIDECAR_IMAGE = `${IMAGE_REGISTRY}/sidecar:${IMAGE_TAG}`;
export const WEBHOOK_IMAGE = `${IMAGE_REGISTRY}/webhook:${IMAGE_TAG}`;
export const APP_IMAGE = `${IMAGE_REGISTRY}/e2e-app:${IMAGE_TAG}`;

export interface RecipeInputs {
  readonly repoRoot: string;
  /** Scratch space kept between runs (the webhook's production node_modules, keyed by the lock file). */
  readonly workDir: string;
  /** The Node 24 binary (the npm package `node`), the webhook's and the app's runtime. */
  readonly nodeBinary: string;
  readonly log: (line: string) => void;
}

const outside = (stage: string | undefined, src: string): Error => new Error(`no local stand-in for COPY ${stage ? `--from=${stage} ` : ''}${src}`);

/** What the build stage's `find … -delete` removes from the compiled output: tests, maps, declarations. */
const notBuildLeftover = (path: string): boolean => !/(\.test\.|\.map$|\.d\.ts$|\.tsbuildinfo$)/.test(basename(path));

/** The deps stage of webhook/Dockerfile run on the host: the same npm ci, mkdir and pruning; cached by lock file. */
function webhookProductionDeps(inputs: RecipeInputs): string {
  const manifests = ['package.json', 'package-lock.json', '.npmrc', ...['shared', 'sidecar', 'webhook', 'cli', 'e2e'].map((w) => `${w}/package.json`)];
  const key = createHash('sha256');
  for (const m of manifests) key.update(readFileSync(join(inputs.repoRoot, m)));
  const dir = join(inputs.workDir, `webhook-deps-${key.digest('hex').slice(0, 16)}`);
  if (existsSync(join(dir, 'node_modules'))) return dir;
  inputs.log('webhook: npm ci --omit=dev (the Dockerfile deps stage, on the host)');
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  for (const m of manifests) {
    mkdirSync(join(tmp, m, '..'), { recursive: true });
    copyFileSync(join(inputs.repoRoot, m), join(tmp, m));
  }
  execFileSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--workspace', '@portcullis/webhook'], {
    cwd: tmp,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  mkdirSync(join(tmp, 'shared/node_modules'), { recursive: true });
  execFileSync('find', ['node_modules', 'shared/node_modules', '-type', 'f', '(', '-name', '*.map', '-o', '-name', '*.ts', '-o', '-name', '*.mts', '-o', '-name', '*.cts', '-o', '-name', '*.md', ')', '-delete'], { cwd: tmp });
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return dir;
}

/** The sandbox (pause) process, built from e2e/tools/pause. */
function pauseContext(inputs: RecipeInputs): string {
  const dir = join(inputs.workDir, 'pause-context');
  mkdirSync(dir, { recursive: true });
  execFileSync('go', ['build', '-trimpath', '-ldflags', '-s -w', '-o', join(dir, 'pause'), '.'], {
    cwd: join(inputs.repoRoot, 'e2e/tools/pause'),
    env: { ...process.env, CGO_ENABLED: '0' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return dir;
}

/** The e2e app (e2e/src/node/app/job.ts and the SDKs it imports) bundled into one file by Bun. */
function appContext(inputs: RecipeInputs): string {
  const dir = join(inputs.workDir, 'app-context');
  mkdirSync(dir, { recursive: true });
  execFileSync(
    join(inputs.repoRoot, 'node_modules/.bin/bun'),
    ['build', join(inputs.repoRoot, 'e2e/src/node/app/job.ts'), '--target=node', '--format=esm', '--outfile', join(dir, 'app.mjs')],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return dir;
}

/** The four images the e2e node runs, each from its Dockerfile. */
export function imageRecipes(inputs: RecipeInputs): ImageRecipe[] {
  const repo = (p: string): string => join(inputs.repoRoot, p);
  const nodeBase = { binary: inputs.nodeBinary, at: '/usr/local/bin/node', env: { NODE_VERSION: process.versions.node } };
  const sidecarBinary = repo('sidecar/bin/portcullis-sidecar');
  return [
    {
      name: PAUSE_IMAGE,
      dockerfile: repo('e2e/tools/pause/Dockerfile'),
      base: 'scratch',
      source: (stage, src) => {
        if (stage !== undefined) throw outside(stage, src);
        return { path: join(pauseContext(inputs), src) };
      },
    },
    {
      name: SIDECAR_IMAGE,
      dockerfile: repo('sidecar/Dockerfile'),
      // distroless/cc: glibc and the C++ runtime, here the libraries the executable links.
      base: { binary: sidecarBinary, at: undefined },
      source: (stage, src) => {
        if (stage === 'build' && src === '/out/portcullis-sidecar') return { path: sidecarBinary };
        throw outside(stage, src);
      },
    },
    {
      name: WEBHOOK_IMAGE,
      dockerfile: repo('webhook/Dockerfile'),
      base: nodeBase,
      source: (stage, src) => {
        if (stage === 'deps' && src.startsWith('/app/')) return { path: join(webhookProductionDeps(inputs), src.slice('/app/'.length)) };
        if (stage === 'build' && src.startsWith('/src/')) return { path: repo(src.slice('/src/'.length)), filter: notBuildLeftover };
        throw outside(stage, src);
      },
      runAlreadyTrue: (command) =>
        command.startsWith('rm -rf /usr/local/lib/node_modules/npm') ? 'the local Node base holds the node binary only (no npm, corepack or yarn)' : undefined,
    },
    {
      name: APP_IMAGE,
      dockerfile: repo('e2e/src/node/app/Dockerfile'),
      base: nodeBase,
      source: (stage, src) => {
        if (stage !== undefined) throw outside(stage, src);
        return { path: join(appContext(inputs), src) };
      },
    },
  ];
}
