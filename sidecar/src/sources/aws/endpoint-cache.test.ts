import { describe, expect, it } from '@jest/globals';
import { resolveEndpoint } from '@portcullis/shared';
import { EndpointCache } from './endpoint-cache.js';

const AWS = { override: undefined, useFips: false, useDualstack: false };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe('EndpointCache', () => {
  it('answers what resolveEndpoint answers, resolving each scope once', () => {
    const cache = new EndpointCache(AWS);
    const first = cache.resolve('dynamodb', 'eu-west-1', '/', undefined);
    expect(first).toEqual(resolveEndpoint({ service: 'dynamodb', region: 'eu-west-1' }));
    expect(cache.resolve('dynamodb', 'eu-west-1', '/other', undefined)).toBe(first);
    expect(cache.resolve('dynamodb', 'us-east-1', '/', undefined).url.host).toBe('dynamodb.us-east-1.amazonaws.com');
    expect(cache.resolve('sts', 'eu-west-1', '/', undefined).signingRegion).toBe(resolveEndpoint({ service: 'sts', region: 'eu-west-1' }).signingRegion);
  });

  it('still routes path-routed services by path (bedrock runtime vs agents)', () => {
    const cache = new EndpointCache(AWS);
    const invoke = cache.resolve('bedrock', 'us-east-1', '/model/m/invoke', undefined);
    const agents = cache.resolve('bedrock', 'us-east-1', '/agents/a', undefined);
    expect(invoke.url.host).toBe(resolveEndpoint({ service: 'bedrock', region: 'us-east-1', path: '/model/m/invoke' }).url.host);
    expect(agents.url.host).toBe(resolveEndpoint({ service: 'bedrock', region: 'us-east-1', path: '/agents/a' }).url.host);
    expect(invoke.url.host).not.toBe(agents.url.host);
    expect(cache.resolve('bedrock', 'us-east-1', '/agents/a', 'bedrock-runtime').url.host).toBe(invoke.url.host);
  });

  it('refuses a host hint that is not an endpoint of the service every time, even after a good request', () => {
    const cache = new EndpointCache(AWS);
    cache.resolve('bedrock', 'us-east-1', '/model/m/invoke', 'bedrock-runtime');
    expect(codeOf(() => cache.resolve('bedrock', 'us-east-1', '/model/m/invoke', 'evil'))).toBe('AWS_UNSUPPORTED_SERVICE');
    expect(codeOf(() => cache.resolve('bedrock', 'us-east-1', '/model/m/invoke', 'evil'))).toBe('AWS_UNSUPPORTED_SERVICE');
    expect(codeOf(() => cache.resolve('dynamodb', 'not-a-region', '/', undefined))).toBe('AWS_UNSUPPORTED_REGION');
  });

  it('sends every scope to the override, and holds at most maxEntries endpoints', () => {
    const cache = new EndpointCache({ override: new URL('http://127.0.0.1:9000'), useFips: false, useDualstack: false }, 2);
    expect(cache.resolve('s3', 'eu-west-1', '/b/k', undefined)).toMatchObject({ signingName: 's3', signingRegion: 'eu-west-1', url: new URL('http://127.0.0.1:9000') });
    cache.resolve('s3', 'us-east-1', '/b/k', undefined);
    cache.resolve('dynamodb', 'us-east-1', '/', undefined);
    expect(cache.size).toBe(2);
  });
});
