import { describe, expect, it } from '@jest/globals';
import { podSuspension } from './suspension.js';

describe('podSuspension', () => {
  it('suspends on the label or the annotation portcullis.dev/suspend: "true", naming which', () => {
    expect(podSuspension({ metadata: { labels: { 'portcullis.dev/suspend': 'true' } } })).toContain('label portcullis.dev/suspend=true');
    expect(podSuspension({ metadata: { annotations: { 'portcullis.dev/suspend': 'true' } } })).toContain('annotation portcullis.dev/suspend');
  });

  it.each(['false', 'True', 'yes', '1', ''])('does not suspend on the value %j', (value) => {
    expect(podSuspension({ metadata: { labels: { 'portcullis.dev/suspend': value }, annotations: { 'portcullis.dev/suspend': value } } })).toBeUndefined();
  });

  it('does not suspend a pod it has not seen (a missing Pod object is not a kill switch)', () => {
    expect(podSuspension(undefined)).toBeUndefined();
    expect(podSuspension({})).toBeUndefined();
  });
});
