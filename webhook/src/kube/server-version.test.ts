import { describe, expect, it } from '@jest/globals';
import { parseServerVersion, supportsNativeSidecars } from './server-version.js';

describe('server version', () => {
  it.each([
    [{ major: '1', minor: '34', gitVersion: 'v1.34.4' }, true],
    [{ major: '1', minor: '29+', gitVersion: 'v1.29.1-gke.1' }, true],
    [{ major: '1', minor: '28', gitVersion: 'v1.28.9' }, false],
    [{ gitVersion: 'v1.30.0-rc.1' }, true],
  ])('decides native sidecars for %j: %s', (info, native) => {
    const v = parseServerVersion(info);
    expect(v && supportsNativeSidecars(v)).toBe(native);
  });

  it('returns undefined for an unreadable version', () => {
    expect(parseServerVersion({ gitVersion: 'dev' })).toBeUndefined();
  });
});
