import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { containerdConfig } from './containerd-config.js';
import { kubeletConfig } from './kubelet-config.js';
import { nodeLayout } from './layout.js';

const layout = nodeLayout('/state/node');
const net = { nodeName: 'portcullis-node', nodeIp: '192.0.2.2', bridge: 'pcbr0', podSubnet: '10.244.0.0/24', gatewayIp: '10.244.0.1', kubeletPort: 10250 };

describe('kubelet configuration', () => {
  const config = parse(kubeletConfig(layout, net)) as Record<string, unknown>;

  it('accepts only cluster-CA client certificates and authorized tokens, never anonymous, and has no read-only port', () => {
    expect(config.authentication).toEqual({ anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: '/state/node/pki/ca.crt' } });
    expect(config.authorization).toEqual({ mode: 'Webhook' });
    expect(config.readOnlyPort).toBe(0);
    expect(config.tlsCertFile).toBe('/state/node/pki/kubelet-serving.crt');
  });

  it('talks to our containerd with the same cgroup driver', () => {
    expect(config.containerRuntimeEndpoint).toBe('unix:///state/node/containerd/containerd.sock');
    expect(config.cgroupDriver).toBe('cgroupfs');
    const toml = containerdConfig(layout, { sandboxImage: 'portcullis.local/pause:e2e', cniBinDir: '/usr/lib/cni' });
    expect(toml).toContain('SystemdCgroup = false');
    expect(toml).toContain('address = "/state/node/containerd/containerd.sock"');
    expect(toml).toContain('sandbox_image = "portcullis.local/pause:e2e"');
  });
});
