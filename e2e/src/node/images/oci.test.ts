import { describe, expect, it } from '@jest/globals';
import { finalStage } from './dockerfile.js';
import { LAYER_MEDIA_TYPE, imageConfig, imageLayout, sha256 } from './oci.js';

const layer = { digest: sha256('layer'), size: 5, mediaType: LAYER_MEDIA_TYPE };

describe('OCI image config and layout', () => {
  it("carries the final stage's user, env, working dir, ports and entry point", () => {
    const stage = finalStage('FROM scratch\nWORKDIR /app\nENV NODE_ENV=production\nUSER 65532:65532\nEXPOSE 9443 9090\nENTRYPOINT ["node", "/app/main.js"]\n');
    const config = imageConfig(stage, { NODE_VERSION: '24' }, [layer], new Date(0)) as {
      config: { User: string; Env: string[]; WorkingDir: string; ExposedPorts: object; Entrypoint: string[] };
      rootfs: { diff_ids: string[] };
    };
    expect(config.config.User).toBe('65532:65532');
    expect(config.config.Env).toEqual(expect.arrayContaining(['NODE_VERSION=24', 'NODE_ENV=production']));
    expect(config.config.WorkingDir).toBe('/app');
    expect(config.config.ExposedPorts).toEqual({ '9443/tcp': {}, '9090/tcp': {} });
    expect(config.config.Entrypoint).toEqual(['node', '/app/main.js']);
    expect(config.rootfs.diff_ids).toEqual([layer.digest]);
  });

  it('names the image for ctr images import and addresses every blob by its digest', () => {
    const config = Buffer.from('{"a":1}');
    const out = imageLayout('portcullis.local/sidecar:e2e', config, [layer]);
    const index = JSON.parse(out.index.toString()) as { manifests: { digest: string; annotations: Record<string, string> }[] };
    expect(index.manifests[0]?.digest).toBe(sha256(out.manifest));
    expect(index.manifests[0]?.annotations['io.containerd.image.name']).toBe('portcullis.local/sidecar:e2e');
    expect(index.manifests[0]?.annotations['org.opencontainers.image.ref.name']).toBe('e2e');
    const manifest = JSON.parse(out.manifest.toString()) as { config: { digest: string }; layers: { digest: string }[] };
    expect(manifest.config.digest).toBe(sha256(config));
    expect(manifest.layers.map((l) => l.digest)).toEqual([layer.digest]);
  });
});
