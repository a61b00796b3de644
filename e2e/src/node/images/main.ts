// `make images`: builds the e2e node's images from their Dockerfiles without a container engine or a
// registry (docs/e2e-node.md), as OCI layout tars in <cache>/node/images, which `make node-up` imports.
import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterConfig } from '../../cluster/config.js';
import { buildImage } from './build.js';
import { imageRecipes } from './recipes.js';

const repoRoot = fileURLToPath(new URL('../../../..', import.meta.url));

async function main(): Promise<void> {
  const { cacheDir } = clusterConfig(process.env, repoRoot);
  const imagesDir = join(cacheDir, 'node/images');
  const workDir = join(cacheDir, 'node/image-work');
  mkdirSync(imagesDir, { recursive: true });
  mkdirSync(workDir, { recursive: true });
  const log = (line: string): void => console.error(`images: ${line}`);
  // process.execPath is the Node 24 the Makefile puts first on PATH (the npm package `node`).
  const recipes = imageRecipes({ repoRoot, workDir, nodeBinary: realpathSync(process.execPath), log });
  // `main.js webhook sidecar` rebuilds only those (names as in the image references).
  const only = process.argv.slice(2);
  for (const recipe of recipes.filter((r) => only.length === 0 || only.some((o) => r.name.includes(`/${o}:`)))) {
    const start = Date.now();
    const file = `${recipe.name.slice(recipe.name.lastIndexOf('/') + 1, recipe.name.lastIndexOf(':'))}.tar`;
    await buildImage(recipe, workDir, join(imagesDir, file), log, new Date(0));
    log(`${recipe.name} -> ${join(imagesDir, file)} (${((Date.now() - start) / 1000).toFixed(1)} s)`);
  }
}

main().catch((err: unknown) => {
  console.error(`images: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
