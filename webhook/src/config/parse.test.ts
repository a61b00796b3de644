import { describe, expect, it } from '@jest/globals';
import { parseOptions } from './parse.js';

const minimal = ['--namespace', 'portcullis-system', '--sidecar-image', 'registry.example/sidecar:1'];

describe('parseOptions', () => {
  it('fills safe defaults and always excludes its own namespace', () => {
    const o = parseOptions(minimal, {});
    expect(o.injector.excludedNamespaces).toEqual(new Set(['kube-system', 'kube-public', 'kube-node-lease', 'portcullis-system']));
    expect(o.injector.resources).toEqual({ requests: { cpu: '50m', memory: '96Mi' }, limits: { cpu: '1', memory: '256Mi' } });
    expect(o.injector.imagePullSecrets).toEqual([]);
    expect(o.sidecarMode).toBe('auto');
    expect(o.injector.youngGenerationMiB).toBeUndefined();
    expect(o.tls).toMatchObject({
      mode: 'secret',
      policy: { dnsNames: ['portcullis-webhook.portcullis-system.svc', 'portcullis-webhook.portcullis-system.svc.cluster.local'] },
    });
    expect(Object.isFrozen(o)).toBe(true);
  });

  it('runs the pod-role controller by default and turns it off or changes its resync when told', () => {
    expect(parseOptions(minimal, {}).podRoles).toMatchObject({ enabled: true, resyncMs: 60_000 });
    expect(parseOptions([...minimal, '--pod-role-controller', 'false', '--pod-role-resync-seconds', '5'], {}).podRoles).toMatchObject({ enabled: false, resyncMs: 5000 });
    expect(() => parseOptions([...minimal, '--pod-role-controller', 'yes'], {})).toThrow(/--pod-role-controller "yes" is invalid/);
  });

  it('gives proxy-mode pods NO_PROXY for cluster.local by default, and for the cluster domain and Service CIDRs it is told', () => {
    expect(parseOptions(minimal, {}).injector.proxyMode).toEqual({ clusterDomain: 'cluster.local', serviceCidrs: [] });
    const o = parseOptions([...minimal, '--cluster-domain', 'Corp.Internal.', '--service-cidrs', '10.96.0.0/12, fd00:10:96::/108,10.96.0.0/12'], {});
    expect(o.injector.proxyMode).toEqual({ clusterDomain: 'corp.internal', serviceCidrs: ['10.96.0.0/12', 'fd00:10:96::/108'] });
  });

  it.each([
    [['--cluster-domain', 'cluster local'], /--cluster-domain "cluster local" is invalid: expected a DNS domain/],
    [['--service-cidrs', '10.96.0.0'], /--service-cidrs "10.96.0.0" is invalid: expected CIDRs/],
    [['--service-cidrs', '10.96.0.0/33'], /--service-cidrs "10.96.0.0\/33" is invalid/],
    [['--service-cidrs', 'svc.example/12'], /--service-cidrs "svc.example\/12" is invalid/],
  ])('refuses proxy-mode settings %j', (args, message) => {
    expect(() => parseOptions([...minimal, ...args], {})).toThrow(message);
  });

  it('takes the namespace and identity from the downward API env', () => {
    const o = parseOptions(['--sidecar-image', 'i'], { POD_NAMESPACE: 'ns', POD_NAME: 'webhook-0' });
    expect(o).toMatchObject({ namespace: 'ns', identity: 'webhook-0' });
  });

  it.each([
    [['--sidecar-mode', 'sometimes'], /--sidecar-mode "sometimes" is invalid: expected one of auto, native, container/],
    [['--port', '70000'], /--port "70000" is invalid/],
    [['--sidecar-memory-limit', '1 GB'], /--sidecar-memory-limit "1 GB" is invalid: expected a quantity/],
    [['--check-secrets', 'yes'], /expected true or false/],
    [['--tls-ip-addresses', 'localhost'], /--tls-ip-addresses "localhost" is invalid/],
    [['--cert-validity-seconds', '100', '--cert-renew-before-seconds', '200'], /must be shorter than --cert-validity-seconds/],
    [['--lease-duration-seconds', '5', '--lease-retry-interval-seconds', '5'], /must be shorter than --lease-duration-seconds/],
    [['--unknown'], /Unknown option '--unknown'/],
  ])('rejects %j naming the option and the value', (args, message) => {
    expect(() => parseOptions([...minimal, ...args], {})).toThrow(message);
  });

  it("gives the proxy the sidecar's 900 s review interval unless told otherwise, within 10 s to a day", () => {
    expect(parseOptions(minimal, {}).injector.identityReviewIntervalSeconds).toBe(900);
    expect(parseOptions([...minimal, '--sidecar-identity-review-interval-seconds', '60'], {}).injector.identityReviewIntervalSeconds).toBe(60);
    expect(() => parseOptions([...minimal, '--sidecar-identity-review-interval-seconds', '5'], {})).toThrow(
      /--sidecar-identity-review-interval-seconds "5" is invalid: expected a whole number from 10 to 86400/,
    );
    expect(() => parseOptions([...minimal, '--sidecar-identity-review-interval-seconds', '90.5'], {})).toThrow(/"90.5" is invalid/);
  });

  it('configures the sidecars\' Redis from address, TLS and a Secret, and refuses half a configuration', () => {
    expect(parseOptions(minimal, {}).injector.redis).toBeUndefined();
    expect(parseOptions([...minimal, '--sidecar-redis-address', 'redis.portcullis.svc:6379', '--sidecar-redis-tls', 'true', '--sidecar-redis-secret', 'portcullis-redis', '--sidecar-redis-ca-key', 'ca.crt'], {}).injector.redis).toEqual({
      address: 'redis.portcullis.svc:6379', tls: true, secretName: 'portcullis-redis', passwordKey: 'password', caKey: 'ca.crt',
    });
    expect(() => parseOptions([...minimal, '--sidecar-redis-secret', 'portcullis-redis'], {})).toThrow(/--sidecar-redis-secret .* needs --sidecar-redis-address/);
    expect(() => parseOptions([...minimal, '--sidecar-redis-address', 'redis'], {})).toThrow(/--sidecar-redis-address "redis" is invalid/);
  });

  it('passes a young-generation cap to the proxy only when it is set above 0', () => {
    expect(parseOptions([...minimal, '--sidecar-young-generation-mib', '0'], {}).injector.youngGenerationMiB).toBeUndefined();
    expect(parseOptions([...minimal, '--sidecar-young-generation-mib', '2'], {}).injector.youngGenerationMiB).toBe(2);
    expect(() => parseOptions([...minimal, '--sidecar-young-generation-mib', '65'], {})).toThrow(/--sidecar-young-generation-mib "65" is invalid: expected a whole number from 0 to 64/);
  });

  it('drops the default CPU limit only when asked with an empty value', () => {
    expect(parseOptions([...minimal, '--sidecar-cpu-limit', ''], {}).injector.resources.limits).toEqual({ memory: '256Mi' });
    expect(parseOptions([...minimal, '--sidecar-cpu-limit', '500m'], {}).injector.resources.limits).toEqual({ cpu: '500m', memory: '256Mi' });
  });

  it('takes the pull secrets for the proxy image as Secret names, once each', () => {
    expect(parseOptions([...minimal, '--sidecar-image-pull-secrets', 'regcred, mirror.example,regcred'], {}).injector.imagePullSecrets).toEqual(['regcred', 'mirror.example']);
    expect(() => parseOptions([...minimal, '--sidecar-image-pull-secrets', 'Reg_Cred'], {})).toThrow(/--sidecar-image-pull-secrets "Reg_Cred" is invalid: expected Secret names/);
  });

  it('builds the regular-container hold command for the admin port the pod gets', () => {
    expect(parseOptions(minimal, {}).injector.holdCommand(15191)).toEqual(['/usr/local/bin/portcullis-sidecar', 'wait-ready', '--port', '15191', '--timeout-seconds', '120']);
  });

  it('requires the sidecar image and the namespace', () => {
    expect(() => parseOptions(['--namespace', 'x'], {})).toThrow(/--sidecar-image "" is invalid: it is required/);
    expect(() => parseOptions(['--sidecar-image', 'x'], {})).toThrow(/--namespace/);
  });

  it('reads mounted-file TLS settings', () => {
    const o = parseOptions([...minimal, '--tls-mode', 'files', '--tls-cert-file', '/tls/tls.crt', '--tls-key-file', '/tls/tls.key'], {});
    expect(o.tls).toMatchObject({ mode: 'files', certFile: '/tls/tls.crt', keyFile: '/tls/tls.key' });
  });
});
