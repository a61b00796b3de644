import { describe, expect, it } from '@jest/globals';
import { apiServerDnatRule, parseDefaultRouteSource } from './network.js';

const net = { nodeName: 'n', nodeIp: '192.0.2.2', bridge: 'pcbr0', podSubnet: '10.244.0.0/24', gatewayIp: '10.244.0.1', kubeletPort: 10250 };

describe('node network', () => {
  it("takes the kubelet's address from the default route's interface", () => {
    const routes = 'default via 192.0.2.1 dev eth0 \n';
    const addrs = '1: lo    inet 127.0.0.1/8 scope host lo\n4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\n';
    expect(parseDefaultRouteSource(routes, addrs)).toBe('192.0.2.2');
    expect(parseDefaultRouteSource('', addrs)).toBeUndefined();
  });

  it('sends only the bridge\'s connections to the kubernetes ClusterIP on 443 to the loopback API server', () => {
    const rule = apiServerDnatRule(net, 33443).join(' ');
    expect(rule).toContain('PREROUTING -i pcbr0 -d 10.96.0.1/32 -p tcp --dport 443');
    expect(rule).toMatch(/-j DNAT --to-destination 127\.0\.0\.1:33443$/);
  });
});
