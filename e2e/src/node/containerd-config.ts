import type { NodeLayout } from './layout.js';

/**
 * containerd 1.6's configuration (version 2) for the e2e node: its own root, state and socket under the
 * cache, so it never meets a system containerd; the CRI plugin with the cgroupfs driver (the kubelet's),
 * runc, a locally built sandbox image (nothing can be pulled), CNI from Debian's plugins, and AppArmor
 * off (profiles cannot be loaded in this sandbox). Snapshotters this kernel lacks are disabled so the log
 * does not fill with their start-up errors.
 */
export function containerdConfig(layout: NodeLayout, opts: { readonly sandboxImage: string; readonly cniBinDir: string }): string {
  const q = (value: string): string => JSON.stringify(value);
  return `version = 2
root = ${q(layout.containerdRoot)}
state = ${q(layout.containerdState)}
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = ${q(layout.containerdSocket)}

[ttrpc]
  address = ${q(`${layout.containerdSocket}.ttrpc`)}

[debug]
  level = "info"

[plugins."io.containerd.internal.v1.opt"]
  path = ${q(`${layout.containerdRoot}/opt`)}

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ${q(opts.sandboxImage)}
  disable_apparmor = true
  restrict_oom_score_adj = true
  enable_selinux = false
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"

  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    discard_unpacked_layers = false

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = ${q(opts.cniBinDir)}
    conf_dir = ${q(layout.cniConfDir)}
    max_conf_num = 1
`;
}
