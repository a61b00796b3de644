import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, posix } from 'node:path';
import { finalStage } from './dockerfile.js';
import { writeImage, writeLayer } from './layout-writer.js';
import { imageConfig, type Blob } from './oci.js';
import { assembleBase, copyInto } from './rootfs.js';

/** What stands in for a registry base image: a runtime binary from this host and the libraries it links. */
export interface LocalBase {
  readonly binary: string;
  /** Where the binary goes in the image; undefined for a library-only base (distroless/cc). */
  readonly at: string | undefined;
  readonly env?: Readonly<Record<string, string>>;
}

export interface ImageRecipe {
  /** Full reference, e.g. portcullis.local/sidecar:e2e. */
  readonly name: string;
  readonly dockerfile: string;
  /** The final stage's base: assembled locally, or nothing for `FROM scratch`. */
  readonly base: LocalBase | 'scratch';
  /**
   * The host path that holds what `COPY [--from=<stage>] <src>` copies: the earlier stages' output built
   * on the host by the same commands (`make build`, npm ci), or the build context (stage undefined).
   */
  readonly source: (stage: string | undefined, src: string) => { readonly path: string; readonly filter?: (path: string) => boolean };
  /** Why a RUN of the final stage is already true of the local base (else the build fails: no engine to run it). */
  readonly runAlreadyTrue?: (command: string) => string | undefined;
}

/** Builds one image as an OCI layout tar at `out`: a base layer and a layer with the final stage's files. */
export async function buildImage(recipe: ImageRecipe, workDir: string, out: string, log: (line: string) => void, now: Date): Promise<void> {
  const stage = finalStage(readFileSync(recipe.dockerfile, 'utf8'));
  const scratch = mkdtempSync(join(workDir, 'build-'));
  try {
    const layers: Blob[] = [];
    if (recipe.base !== 'scratch') {
      const baseRoot = join(scratch, 'base');
      assembleBase(baseRoot, recipe.base.binary, recipe.base.at);
      layers.push(await writeLayer(join(scratch, 'layout'), baseRoot));
    }
    const appRoot = join(scratch, 'app');
    mkdirSync(appRoot, { recursive: true });
    let workdir = '/';
    for (const ins of stage.instructions) {
      if (ins.kind === 'WORKDIR') {
        workdir = posix.resolve(workdir, ins.dir);
        mkdirSync(join(appRoot, workdir), { recursive: true });
      } else if (ins.kind === 'COPY') {
        for (const src of ins.sources) {
          const { path, filter } = recipe.source(ins.from, src);
          const dest = posix.resolve(workdir, ins.dest) + (ins.dest.endsWith('/') ? '/' : '');
          copyInto(appRoot, path, dest, filter);
        }
      } else if (ins.kind === 'RUN') {
        const reason = recipe.runAlreadyTrue?.(ins.command);
        if (reason === undefined) throw new Error(`${recipe.dockerfile}: cannot RUN "${ins.command}" in the final stage without a container engine`);
        log(`${recipe.name}: RUN ${ins.command.slice(0, 60)}… not run: ${reason}`);
      }
    }
    layers.push(await writeLayer(join(scratch, 'layout'), appRoot));
    const config = imageConfig(stage, recipe.base === 'scratch' ? {} : (recipe.base.env ?? {}), layers, now);
    writeImage(join(scratch, 'layout'), recipe.name, config, layers, out);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
