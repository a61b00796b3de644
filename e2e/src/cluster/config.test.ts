import { describe, expect, it } from '@jest/globals';
import { clusterConfig } from './config.js';

describe('clusterConfig', () => {
  it('defaults to the repo cache and fixed loopback ports', () => {
    const config = clusterConfig({}, '/repo');
    expect(config.cacheDir).toBe('/repo/.cache');
    expect(config.clusterDir).toBe('/repo/.cache/cluster');
    expect(config.ports).toEqual({ apiserver: 16443, etcdClient: 12379, etcdPeer: 12380 });
    expect(config.startTimeoutMs).toBe(90_000);
    expect(config.keep).toBe(false);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('takes ports, cache and keep from the environment', () => {
    const config = clusterConfig(
      { PORTCULLIS_CACHE: '/c', PORTCULLIS_APISERVER_PORT: '26443', PORTCULLIS_KEEP_CLUSTER: '1' },
      '/repo',
    );
    expect(config.clusterDir).toBe('/c/cluster');
    expect(config.ports.apiserver).toBe(26443);
    expect(config.keep).toBe(true);
  });

  it.each([['0'], ['80'], ['70000'], ['12.5'], ['http']])('rejects PORTCULLIS_APISERVER_PORT=%s naming the variable', (raw) => {
    expect(() => clusterConfig({ PORTCULLIS_APISERVER_PORT: raw }, '/repo')).toThrow(
      `PORTCULLIS_APISERVER_PORT must be a port number from 1024 to 65535, got "${raw}"`,
    );
  });

  it('rejects a start timeout that is not a positive number', () => {
    expect(() => clusterConfig({ PORTCULLIS_START_TIMEOUT_SECONDS: '-1' }, '/repo')).toThrow(
      /PORTCULLIS_START_TIMEOUT_SECONDS/,
    );
  });
});
