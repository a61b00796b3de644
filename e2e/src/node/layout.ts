import { join } from 'node:path';

/** Where the e2e node keeps containerd's and the kubelet's state, its certificates and logs (under the ignored cache). */
export interface NodeLayout {
  readonly dir: string;
  readonly stateFile: string;
  readonly pkiDir: string;
  readonly logDir: string;
  readonly containerdConfig: string;
  readonly containerdRoot: string;
  readonly containerdState: string;
  readonly containerdSocket: string;
  readonly cniConfDir: string;
  readonly cniDataDir: string;
  readonly kubeletRoot: string;
  readonly kubeletConfig: string;
  readonly podLogsDir: string;
  readonly imagesDir: string;
}

export function nodeLayout(dir: string): NodeLayout {
  return {
    dir,
    stateFile: join(dir, 'state.json'),
    pkiDir: join(dir, 'pki'),
    logDir: join(dir, 'logs'),
    containerdConfig: join(dir, 'containerd.toml'),
    containerdRoot: join(dir, 'containerd/root'),
    containerdState: join(dir, 'containerd/state'),
    containerdSocket: join(dir, 'containerd/containerd.sock'),
    cniConfDir: join(dir, 'cni/net.d'),
    cniDataDir: join(dir, 'cni/ipam'),
    kubeletRoot: join(dir, 'kubelet'),
    kubeletConfig: join(dir, 'kubelet.yaml'),
    podLogsDir: join(dir, 'pod-logs'),
    imagesDir: join(dir, 'images'),
  };
}

/** The node's network: one bridge for the pods, the API server reached at the `kubernetes` ClusterIP. */
export interface NodeNetwork {
  readonly nodeName: string;
  /** The host's own address (the default route's interface): the kubelet's InternalIP. */
  readonly nodeIp: string;
  readonly bridge: string;
  readonly podSubnet: string;
  /** The bridge's address: pods reach services on the host here. */
  readonly gatewayIp: string;
  readonly kubeletPort: number;
}

/** Image references the node runs: the locally built ones, never pulled (imagePullPolicy Never). */
export const IMAGE_REGISTRY = 'portcullis.local';
export const PAUSE_IMAGE = `${IMAGE_REGISTRY}/pause:e2e`;
