// Property: the classifiers (S3 REST, JSON, query, REST) either refuse with a catalogued code or name an
// action `<prefix>:<Operation>` and resources that are `*` or well-formed ARNs; an S3 object's ARN names
// exactly the bytes of the key S3 will act on; a DeleteObjects body yields exactly the keys it lists.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { fuzz, refusedOr } from '@portcullis/shared/testing/fuzz';
import { classifyAwsRequest } from './classify.js';
import { parseDeleteObjectsKeys } from './delete-objects.js';
import type { AwsClassification } from './types.js';
import { uriEncode } from '../request/uri.js';

const ARN = /^arn:aws(?:-cn|-us-gov)?:[a-z0-9-]+:[a-z0-9-]*:(?:\d{12}|\*|aws)?:[\s\S]+$/;
const ACTION = /^[a-z0-9-]+:[A-Za-z0-9]+$/;
const pick = <T>(...v: T[]): fc.Arbitrary<T> => fc.constantFrom(...v);
const bit = fc.oneof(pick('a', 'b', '/', '..', '.', '%2F', '%', '%zz', '%c3%a9', '+', ' ', '?', '=', '&', 'arn:aws:s3:::x', 'data', 'k'), fc.string({ maxLength: 4 }));
const junk = fc.array(bit, { maxLength: 8 }).map((b) => b.join(''));

function wellFormed(c: AwsClassification): void {
  for (const part of [c, ...(c.extraActions ?? [])]) {
    expect(part.action).toMatch(ACTION);
    for (const r of part.resources) if (r !== '*') expect(r).toMatch(ARN);
  }
}

const requestArb = fc.record({
  method: pick('GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'PATCH', 'get'),
  service: pick('s3', 'dynamodb', 'sqs', 'sts', 'iam', 'sns', 'kms', 'lambda', 'monitoring', 'ec2', 'bedrock', 'execute-api'),
  region: pick('us-east-1', 'cn-north-1', 'us-gov-west-1', 'eu-west-1', 'xx'),
  path: fc.oneof(junk.map((j) => `/${j}`), junk),
  query: fc.oneof(junk, pick('', 'Action=GetCallerIdentity', 'uploads', 'delete', 'versionId=1', 'list-type=2&prefix=a', 'Action=AssumeRole&RoleArn=arn:aws:iam::123456789012:role/r', 'acl', 'tagging&acl')),
  target: fc.option(fc.oneof(junk, pick('DynamoDB_20120810.GetItem', 'AmazonSQS.SendMessage', 'TrentService.Decrypt', 'X.Y')), { nil: undefined }),
  contentType: fc.option(pick('application/x-amz-json-1.0', 'application/x-www-form-urlencoded', 'application/json'), { nil: undefined }),
  copySource: fc.option(junk, { nil: undefined }),
  body: fc.option(fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.record({ TableName: junk, KeyId: junk, QueueUrl: junk, SecretId: junk, Name: junk })), { nil: undefined }),
  form: fc.option(junk, { nil: undefined }),
});

describe('the AWS classifiers under fuzzing', () => {
  it('refuse with catalogued codes or name well-formed actions and ARNs', () => {
    fuzz(
      'aws-classify',
      requestArb,
      (r) => {
        const headers: Record<string, string> = {};
        if (r.target !== undefined) headers['x-amz-target'] = r.target;
        if (r.contentType !== undefined) headers['content-type'] = r.contentType;
        if (r.copySource !== undefined) headers['x-amz-copy-source'] = r.copySource;
        const c = refusedOr(() =>
          classifyAwsRequest({
            method: r.method,
            path: r.path,
            query: r.query,
            headers,
            service: r.service,
            region: r.region,
            accountId: '123456789012',
            ...(r.body === undefined ? {} : { bodyJson: r.body }),
            ...(r.form === undefined ? {} : { bodyForm: r.form }),
          }),
        );
        if (c !== undefined) wellFormed(c);
      },
      { runs: 3000 },
    );
  });

  it('S3: the object ARN names exactly the key whose encoded bytes are in the path', () => {
    fuzz(
      'aws-classify-s3-key',
      fc.tuple(fc.stringMatching(/^[a-z0-9][a-z0-9.-]{2,20}$/), fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }), pick('GET', 'PUT', 'DELETE', 'HEAD')),
      ([bucket, key, method]) => {
        const path = `/${bucket}/${key.split('/').map((s) => uriEncode(s)).join('/')}`;
        const c = refusedOr(() => classifyAwsRequest({ method, path, query: '', headers: {}, service: 's3', region: 'us-east-1' }), ['AWS_MALFORMED_PATH']);
        if (c === undefined) {
          // Only lone surrogates (not UTF-8) are refused.
          expect(Buffer.from(key, 'utf8').toString('utf8')).not.toBe(key);
          return;
        }
        expect(c.resources).toEqual([`arn:aws:s3:::${bucket}/${key}`]);
      },
      { runs: 2000 },
    );
  });

  it('DeleteObjects: any list of keys, however escaped, parses back to exactly those keys; junk is refused with AWS_MALFORMED_BODY', () => {
    const escape = (s: string, style: number): string =>
      [...s].map((ch) => (ch === '<' || ch === '&' || (ch === '>' && style > 0) ? [`&#${ch.codePointAt(0) ?? 0};`, `&#x${(ch.codePointAt(0) ?? 0).toString(16)};`, { '<': '&lt;', '&': '&amp;', '>': '&gt;' }[ch] ?? ''][style % 3] : ch)).join('');
    const keyArb = fc.string({ minLength: 1, maxLength: 20 }).filter((k) => k.trim() === k && [...k].every((ch) => (ch.codePointAt(0) ?? 0) >= 0x20 && !/[\ud800-\udfff]/.test(ch)));
    fuzz(
      'delete-objects-xml',
      fc.tuple(fc.array(fc.tuple(keyArb, fc.option(fc.stringMatching(/^[A-Za-z0-9.]{1,8}$/), { nil: undefined })), { minLength: 1, maxLength: 6 }), fc.nat(2), junk, fc.nat(400)),
      ([objects, style, noise, at]) => {
        const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>${objects
          .map(([k, v]) => `<Object><Key>${escape(k, style)}</Key>${v === undefined ? '' : `<VersionId>${v}</VersionId>`}</Object>`)
          .join('')}</Delete>`;
        expect(parseDeleteObjectsKeys(xml)).toEqual(objects.map(([key, versionId]) => (versionId === undefined ? { key } : { key, versionId })));
        const i = at % xml.length;
        const broken = refusedOr(() => parseDeleteObjectsKeys(`${xml.slice(0, i)}${noise}${xml.slice(i)}`), ['AWS_MALFORMED_BODY']);
        if (broken !== undefined) for (const k of broken) expect(k.key.length).toBeGreaterThan(0);
      },
      { runs: 2000 },
    );
  });
});
