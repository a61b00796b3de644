import { createHash } from 'node:crypto';
import type { FinalStage } from './dockerfile.js';

/** A content-addressed blob of an OCI image layout. */
export interface Blob {
  readonly digest: string;
  readonly size: number;
  readonly mediaType: string;
}

export const LAYER_MEDIA_TYPE = 'application/vnd.oci.image.layer.v1.tar';
const CONFIG_MEDIA_TYPE = 'application/vnd.oci.image.config.v1+json';
const MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';

export const sha256 = (data: Buffer | string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** The image configuration the final stage describes: user, env, working dir, ports, entry point. */
export function imageConfig(stage: FinalStage, baseEnv: Readonly<Record<string, string>>, layers: readonly Blob[], created: Date): object {
  const env: Record<string, string> = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...baseEnv };
  const config: {
    User?: string;
    Env: string[];
    WorkingDir?: string;
    ExposedPorts?: Record<string, object>;
    Entrypoint?: string[];
    Cmd?: string[];
  } = { Env: [] };
  for (const ins of stage.instructions) {
    switch (ins.kind) {
      case 'USER':
        config.User = ins.user;
        break;
      case 'ENV':
        env[ins.name] = ins.value;
        break;
      case 'WORKDIR':
        config.WorkingDir = ins.dir;
        break;
      case 'EXPOSE':
        config.ExposedPorts ??= {};
        for (const p of ins.ports) config.ExposedPorts[p.includes('/') ? p : `${p}/tcp`] = {};
        break;
      case 'ENTRYPOINT':
        config.Entrypoint = [...ins.argv];
        break;
      case 'CMD':
        config.Cmd = [...ins.argv];
        break;
      default:
        break;
    }
  }
  config.Env = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  return {
    created: created.toISOString(),
    architecture: 'amd64',
    os: 'linux',
    config,
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
    history: layers.map(() => ({ created: created.toISOString(), created_by: 'portcullis e2e image builder' })),
  };
}

/** The manifest, the index (naming the image for `ctr images import`) and the layout marker. */
export function imageLayout(
  name: string,
  config: Buffer,
  layers: readonly Blob[],
): { manifest: Buffer; index: Buffer; ociLayout: Buffer; configBlob: Blob; manifestBlob: Blob } {
  const configBlob: Blob = { mediaType: CONFIG_MEDIA_TYPE, digest: sha256(config), size: config.length };
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST_MEDIA_TYPE,
      config: configBlob,
      layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
    }),
  );
  const manifestBlob: Blob = { mediaType: MANIFEST_MEDIA_TYPE, digest: sha256(manifest), size: manifest.length };
  const tag = name.slice(name.lastIndexOf(':') + 1);
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          ...manifestBlob,
          platform: { architecture: 'amd64', os: 'linux' },
          annotations: { 'io.containerd.image.name': name, 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  );
  return { manifest, index, ociLayout: Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })), configBlob, manifestBlob };
}
