import { describe, expect, it } from '@jest/globals';
import { apiserverArgs, etcdArgs } from './args.js';
import { clusterLayout } from './layout.js';

const layout = clusterLayout('/state');
const ports = { apiserver: 16443, etcdClient: 12379, etcdPeer: 12380 };

const flag = (args: readonly string[], name: string): string | undefined =>
  args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

describe('control-plane arguments', () => {
  it('binds etcd to loopback only', () => {
    const args = etcdArgs(layout, ports);
    expect(flag(args, 'listen-client-urls')).toBe('http://127.0.0.1:12379');
    expect(flag(args, 'listen-peer-urls')).toBe('http://127.0.0.1:12380');
    expect(flag(args, 'data-dir')).toBe('/state/etcd-data');
  });

  it('serves the API on 127.0.0.1 with RBAC, our certificates and a service-account issuer', () => {
    const args = apiserverArgs(layout, ports);
    expect(flag(args, 'bind-address')).toBe('127.0.0.1');
    expect(flag(args, 'secure-port')).toBe('16443');
    expect(flag(args, 'authorization-mode')).toBe('Node,RBAC');
    expect(flag(args, 'etcd-servers')).toBe('http://127.0.0.1:12379');
    expect(flag(args, 'client-ca-file')).toBe('/state/pki/ca.crt');
    expect(flag(args, 'service-account-issuer')).toBe('https://kubernetes.default.svc.cluster.local');
    expect(flag(args, 'service-account-signing-key-file')).toBe('/state/pki/sa.key');
    expect(flag(args, 'service-account-key-file')).toBe('/state/pki/sa.pub');
    expect(args.some((a) => a.startsWith('--insecure'))).toBe(false);
  });

  it('checks kubelets against the cluster CA and calls webhooks at their pod IPs (no kube-proxy)', () => {
    const args = apiserverArgs(layout, ports);
    expect(flag(args, 'kubelet-certificate-authority')).toBe('/state/pki/ca.crt');
    expect(flag(args, 'kubelet-client-certificate')).toBe('/state/pki/apiserver-kubelet-client.crt');
    expect(flag(args, 'enable-admission-plugins')).toBe('NodeRestriction');
    expect(flag(args, 'enable-aggregator-routing')).toBe('true');
  });
});
