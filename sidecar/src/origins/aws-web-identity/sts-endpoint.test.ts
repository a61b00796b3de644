import { describe, expect, it } from '@jest/globals';
import { stsTarget } from './sts-endpoint.js';

const base = { stsRegion: undefined, endpoint: undefined, useFips: false, useDualstack: false };

describe('stsTarget', () => {
  it.each([
    ['the global endpoint in the aws partition', { ...base, partition: 'aws' as const }, 'https://sts.amazonaws.com'],
    ['the regional endpoint of stsRegion', { ...base, partition: 'aws' as const, stsRegion: 'eu-west-1' }, 'https://sts.eu-west-1.amazonaws.com'],
    ['a regional endpoint in aws-cn', { ...base, partition: 'aws-cn' as const }, 'https://sts.cn-north-1.amazonaws.com.cn'],
    ['FIPS in GovCloud', { ...base, partition: 'aws-us-gov' as const, useFips: true }, 'https://sts-fips.us-gov-west-1.amazonaws.com'],
    ['dual-stack', { ...base, partition: 'aws' as const, stsRegion: 'eu-west-1', useDualstack: true }, 'https://sts.eu-west-1.api.aws'],
    ['the source endpoint override (moto, VPC endpoint)', { ...base, partition: 'aws' as const, endpoint: new URL('http://127.0.0.1:5000') }, 'http://127.0.0.1:5000'],
  ])('uses %s', (_what, opts, endpoint) => {
    expect(stsTarget(opts).endpoint).toBe(endpoint);
  });
});
