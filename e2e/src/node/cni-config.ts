import type { NodeLayout, NodeNetwork } from './layout.js';

/**
 * The pods' network: a bridge on the host with host-local addresses (Debian's containernetworking-plugins).
 * The bridge is the pods' gateway, so the host's services and the API server (through the ClusterIP
 * rule in network.ts) are one hop away. No masquerading: the pods talk to this host only.
 */
export function cniConfList(layout: NodeLayout, net: NodeNetwork): string {
  return `${JSON.stringify(
    {
      cniVersion: '0.4.0',
      name: 'portcullis-e2e',
      plugins: [
        {
          type: 'bridge',
          bridge: net.bridge,
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: net.podSubnet, gateway: net.gatewayIp }]],
            routes: [{ dst: '0.0.0.0/0' }],
            dataDir: layout.cniDataDir,
          },
        },
      ],
    },
    null,
    2,
  )}\n`;
}
