import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAYER_MEDIA_TYPE, imageLayout, type Blob } from './oci.js';

async function fileDigest(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/**
 * Packs `rootDir` as an uncompressed layer into `layoutDir`'s blobs. Reproducible: sorted names, mtime 0,
 * no access/change times, numeric owners (as staged: root, except what the base chowns).
 */
export async function writeLayer(layoutDir: string, rootDir: string): Promise<Blob> {
  const blobs = join(layoutDir, 'blobs/sha256');
  mkdirSync(blobs, { recursive: true });
  const tmp = join(layoutDir, `layer.${process.pid}.tar`);
  execFileSync('tar', [
    '--sort=name', '--numeric-owner', '--mtime=@0', '--format=posix',
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
    '-C', rootDir, '-cf', tmp, '.',
  ]);
  const digest = await fileDigest(tmp);
  const size = statSync(tmp).size;
  renameSync(tmp, join(blobs, digest.slice('sha256:'.length)));
  return { digest, size, mediaType: LAYER_MEDIA_TYPE };
}

/** Writes config, manifest and index next to the layers and packs the layout as `<out>` for `ctr images import`. */
export function writeImage(layoutDir: string, name: string, config: object, layers: readonly Blob[], out: string): void {
  const configJson = Buffer.from(JSON.stringify(config));
  const { manifest, index, ociLayout, configBlob, manifestBlob } = imageLayout(name, configJson, layers);
  const blob = (b: Blob, data: Buffer): void => writeFileSync(join(layoutDir, 'blobs/sha256', b.digest.slice('sha256:'.length)), data);
  blob(configBlob, configJson);
  blob(manifestBlob, manifest);
  writeFileSync(join(layoutDir, 'index.json'), index);
  writeFileSync(join(layoutDir, 'oci-layout'), ociLayout);
  rmSync(out, { force: true });
  execFileSync('tar', ['--sort=name', '--numeric-owner', '--mtime=@0', '-C', layoutDir, '-cf', `${out}.tmp`, 'oci-layout', 'index.json', 'blobs']);
  renameSync(`${out}.tmp`, out);
}
