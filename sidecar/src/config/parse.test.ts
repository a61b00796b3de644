import { describe, expect, it } from '@jest/globals';
import { parseDownwardLabels } from './labels-file.js';
import { parseOptions } from './parse.js';

describe('parseOptions', () => {
  it('builds cluster mode from the downward API and in-cluster env', () => {
    const o = parseOptions([], { POD_NAMESPACE: 'team-a', KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' });
    expect(o.mode).toMatchObject({
      kind: 'cluster',
      namespace: 'team-a',
      api: { kind: 'token', server: 'https://10.0.0.1:443', tokenFile: '/var/run/secrets/portcullis.dev/api/token' },
    });
    expect(o.listenAddresses).toEqual(['127.0.0.1', '::1']);
    expect(o.sources).toBeUndefined();
    expect(Object.isFrozen(o)).toBe(true);
  });

  it('brackets an IPv6 service host', () => {
    const o = parseOptions(['--namespace', 'a'], { KUBERNETES_SERVICE_HOST: 'fd00::1' });
    expect(o.mode.kind === 'cluster' && o.mode.api.kind === 'token' && o.mode.api.server).toBe('https://[fd00::1]:443');
  });

  it('parses standalone mode with identity, labels and a source subset', () => {
    const o = parseOptions(['--standalone', '--config', '/etc/p', '--identity', 'ns/sa/pod', '--labels', 'app=x,tier=y', '--sources', 'a, b'], {});
    expect(o.mode).toEqual({
      kind: 'standalone',
      configPath: '/etc/p',
      identity: { namespace: 'ns', serviceAccount: 'sa', podName: 'pod', podUID: 'standalone-pod' },
      labels: { app: 'x', tier: 'y' },
    });
    expect(o.sources).toEqual(new Set(['a', 'b']));
  });

  it('caps the young generation only when asked, from the flag or PORTCULLIS_YOUNG_GENERATION_MIB', () => {
    const base = ['--namespace', 'a', '--api-server', 'https://x'];
    expect(parseOptions(base, {}).youngGenerationMiB).toBeUndefined();
    expect(parseOptions([...base, '--young-generation-mib', '2'], {}).youngGenerationMiB).toBe(2);
    expect(parseOptions(base, { PORTCULLIS_YOUNG_GENERATION_MIB: '8' }).youngGenerationMiB).toBe(8);
    expect(parseOptions([...base, '--young-generation-mib', '4'], { PORTCULLIS_YOUNG_GENERATION_MIB: '8' }).youngGenerationMiB).toBe(4);
  });

  it('reviews the identity every 900 s unless --identity-review-interval-seconds says otherwise (ADR 7)', () => {
    const base = ['--namespace', 'a', '--api-server', 'https://x'];
    expect(parseOptions(base, {}).identityReviewIntervalMs).toBe(900_000);
    expect(parseOptions([...base, '--identity-review-interval-seconds', '60'], {}).identityReviewIntervalMs).toBe(60_000);
  });

  it('drains for 10 s on SIGTERM unless --drain-timeout-seconds says otherwise', () => {
    const base = ['--namespace', 'a', '--api-server', 'https://x'];
    expect(parseOptions(base, {}).drainTimeoutMs).toBe(10_000);
    expect(parseOptions([...base, '--drain-timeout-seconds', '2.5'], {}).drainTimeoutMs).toBe(2_500);
  });

  it.each([
    [['--namespace', 'a', '--api-server', 'https://x', '--drain-timeout-seconds', '0'], /--drain-timeout-seconds "0".*positive number/],
    [['--namespace', 'a', '--api-server', 'https://x', '--identity-review-interval-seconds', '0'], /--identity-review-interval-seconds "0".*positive number/],
    [['--namespace', 'a', '--api-server', 'https://x', '--young-generation-mib', '0'], /--young-generation-mib "0".*1 to 64/],
    [['--namespace', 'a', '--api-server', 'https://x', '--young-generation-mib', '65'], /--young-generation-mib "65"/],
    [['--namespace', 'a', '--api-server', 'https://x', '--young-generation-mib', '2.5'], /--young-generation-mib "2.5"/],
    [['--standalone', '--identity', 'ns/sa/pod'], /--config/],
    [['--standalone', '--config', 'x', '--identity', 'ns/sa'], /--identity/],
    [['--namespace', 'a', '--api-server', 'https://x', '--admin-port', '70000'], /--admin-port "70000"/],
    [['--namespace', 'a', '--api-server', 'https://x', '--listen-addresses', '0.0.0.0'], /only listens on 127.0.0.1 and ::1/],
    [['--namespace', 'a', '--api-server', 'https://x', '--log-level', 'loud'], /--log-level/],
    [['--namespace', 'a', '--api-server', 'https://x', '--upstream-response-timeout-seconds', '0'], /positive number/],
    [['--namespace', 'a'], /no API server/],
    [['--bogus'], /Unknown option/],
    [[], /POD_NAMESPACE/],
  ])('rejects %j with CONFIG_INVALID', (argv, message) => {
    expect(() => parseOptions(argv, {})).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(message) }));
  });
});

describe('parseDownwardLabels', () => {
  it('reads key="value" lines', () => {
    expect(parseDownwardLabels('app="reports"\ntier="batch \\"x\\""\n\n')).toEqual({ app: 'reports', tier: 'batch "x"' });
  });
});

describe('parseOptions: Redis', () => {
  const base = ['--standalone', '--config', '/c', '--identity', 'ns/sa/pod'];

  it('has no Redis unless --redis-address is given', () => {
    expect(parseOptions(base, {}).redis).toBeUndefined();
  });

  it('reads address, TLS, CA, username and the password file (never the password itself)', () => {
    const o = parseOptions([...base, '--redis-address', 'redis.portcullis.svc:6380', '--redis-tls', '--redis-ca-file', '/ca.pem', '--redis-username', 'sidecar', '--redis-password-file', '/run/redis/password'], {});
    expect(o.redis).toEqual({ host: 'redis.portcullis.svc', port: 6380, tls: true, caFile: '/ca.pem', username: 'sidecar', passwordFile: '/run/redis/password' });
  });

  it('accepts a bracketed IPv6 address', () => {
    expect(parseOptions([...base, '--redis-address', '[::1]:6379'], {}).redis).toMatchObject({ host: '::1', port: 6379 });
  });

  it.each(['redis:6379:1', 'redis', 'redis:0', 'redis:70000', 'red is:6379'])('refuses --redis-address %s, naming the flag', (address) => {
    expect(() => parseOptions([...base, '--redis-address', address], {})).toThrow(/--redis-address/);
  });

  it('refuses a password file without an address', () => {
    expect(() => parseOptions([...base, '--redis-password-file', '/p'], {})).toThrow(/needs --redis-address/);
  });
});
