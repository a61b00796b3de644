import { describe, expect, it } from '@jest/globals';
import { bodyPlan, MAX_BUFFERED_BODY_BYTES } from './body.js';

const HASH = 'a'.repeat(64);

describe('bodyPlan', () => {
  it('never reads S3 object data, only DeleteObjects key lists', () => {
    expect(bodyPlan(true, 'PUT', '', { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'content-length': '1000000000' })).toEqual({ read: false });
    expect(bodyPlan(true, 'POST', 'uploads', { 'x-amz-content-sha256': HASH })).toEqual({ read: false });
    expect(bodyPlan(true, 'POST', 'delete', { 'x-amz-content-sha256': HASH })).toMatchObject({ read: true, tooLarge: 'AWS_MALFORMED_BODY' });
  });

  it('reads form bodies (the Action is inside) and bodies it must hash', () => {
    expect(bodyPlan(false, 'POST', '', { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'x-amz-content-sha256': HASH })).toMatchObject({ read: true });
    expect(bodyPlan(false, 'POST', '', { 'content-type': 'application/json' })).toEqual({ read: true, maxBytes: MAX_BUFFERED_BODY_BYTES, tooLarge: 'AWS_BODY_TOO_LARGE' });
  });

  it('reads bounded JSON bodies for the resources they name, and streams the rest', () => {
    const json = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem', 'x-amz-content-sha256': HASH };
    expect(bodyPlan(false, 'POST', '', { ...json, 'content-length': '120' })).toMatchObject({ read: true });
    expect(bodyPlan(false, 'POST', '', { ...json, 'content-length': String(MAX_BUFFERED_BODY_BYTES + 1) })).toEqual({ read: false });
    expect(bodyPlan(false, 'POST', '', { 'content-type': 'application/json', 'x-amz-content-sha256': HASH, 'content-length': '5' })).toEqual({ read: false });
  });
});
