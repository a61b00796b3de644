import { describe, expect, it } from '@jest/globals';
import { iamGlob, pathGlob } from './glob.js';

describe('pathGlob', () => {
  it.each([
    ['/v1/models', '/v1/models', true],
    ['/v1/models', '/v1/models/', false],
    ['/v1/models', '/v1/modelsX', false],
    ['/v1/chat/*', '/v1/chat/completions', true],
    ['/v1/chat/*', '/v1/chat/a/b', false],
    ['/v1/chat/*', '/v1/chat/', true],
    ['/v1/**', '/v1/a/b/c', true],
    ['/v1/**', '/v2/a', false],
    ['/repos/*/*/issues', '/repos/acme/app/issues', true],
    ['/repos/*/*/issues', '/repos/acme/issues', false],
    ['/a.b', '/aXb', false],
    ['/a+(b)', '/a+(b)', true],
  ])('%s on %s → %s', (pattern, path, expected) => {
    expect(pathGlob(pattern).test(path)).toBe(expected);
  });
});

describe('iamGlob', () => {
  it.each([
    ['s3:Get*', 's3:GetObject', true],
    ['s3:Get*', 's3:getobject', true],
    ['s3:Get*', 's3:PutObject', false],
    ['s3:*', 's3:DeleteObject', true],
    ['s3:?etObject', 's3:GetObject', true],
    ['dynamodb:GetItem', 'dynamodb:GetItems', false],
  ])('action %s on %s → %s', (pattern, action, expected) => {
    expect(iamGlob(pattern, true).test(action)).toBe(expected);
  });

  it.each([
    ['arn:aws:s3:::reports/*', 'arn:aws:s3:::reports/2026/q1.csv', true],
    ['arn:aws:s3:::reports/*', 'arn:aws:s3:::reports-private/x', false],
    ['arn:aws:s3:::reports', 'arn:aws:s3:::reports/x', false],
    ['arn:aws:s3:::Reports/*', 'arn:aws:s3:::reports/x', false],
    ['arn:aws:dynamodb:*:*:table/orders', 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders', true],
    ['arn:aws:s3:::b/*', 'arn:aws:s3:::b/line\nbreak', true],
  ])('resource %s on %s → %s', (pattern, arn, expected) => {
    expect(iamGlob(pattern, false).test(arn)).toBe(expected);
  });
});
