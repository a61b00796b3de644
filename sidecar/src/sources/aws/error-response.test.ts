import { describe, expect, it } from '@jest/globals';
import { PortcullisError } from '@portcullis/shared';
import { renderDenial, renderFailure } from './error-response.js';

const input = { jsonVersion: undefined, requestId: 'req-1', method: 'GET' } as const;

describe('AWS-shaped errors', () => {
  it('renders a 503 as a retryable ServiceUnavailable in each protocol, with the Portcullis code in the message', () => {
    const err = new PortcullisError('CREDENTIAL_UNAVAILABLE', 'STS refused the role');
    const s3 = renderFailure(err, { ...input, protocol: 's3' });
    expect(s3.status).toBe(503);
    expect(s3.body).toContain('<Error><Code>ServiceUnavailable</Code><Message>Portcullis CREDENTIAL_UNAVAILABLE: STS refused the role</Message><RequestId>req-1</RequestId></Error>');
    const query = renderFailure(err, { ...input, protocol: 'query' });
    expect(query.body).toContain('<Type>Receiver</Type><Code>ServiceUnavailable</Code>');
    const json = renderFailure(err, { ...input, protocol: 'json', jsonVersion: '1.1' });
    expect(json.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(JSON.parse(json.body)).toMatchObject({ __type: 'ServiceUnavailable', message: 'Portcullis CREDENTIAL_UNAVAILABLE: STS refused the role' });
  });

  it('renders a limit refusal as 429 throttling in each protocol\'s own words, which the AWS SDKs retry', () => {
    const err = new PortcullisError('RATE_LIMITED', 'rate limit "rps" of EgressPolicy team-a/agent allows 5 requests per second');
    const codeOf = (protocol: 's3' | 'json' | 'rest-json' | 'query' | 'ec2'): { status: number; code: string | undefined } => {
      const r = renderFailure(err, { ...input, protocol });
      const code = r.headers['x-amzn-errortype'] ?? /<Code>([^<]+)<\/Code>/.exec(r.body)?.[1];
      return { status: r.status, code };
    };
    expect(codeOf('s3')).toEqual({ status: 429, code: 'SlowDown' });
    expect(codeOf('json')).toEqual({ status: 429, code: 'ThrottlingException' });
    expect(codeOf('rest-json')).toEqual({ status: 429, code: 'ThrottlingException' });
    expect(codeOf('query')).toEqual({ status: 429, code: 'Throttling' });
    expect(codeOf('ec2')).toEqual({ status: 429, code: 'RequestLimitExceeded' });
    expect(renderFailure(err, { ...input, protocol: 's3' }).body).toContain('Portcullis RATE_LIMITED: rate limit &quot;rps&quot; of EgressPolicy team-a/agent');
  });

  it('renders an unclassifiable call as AccessDenied, and HEAD answers without a body', () => {
    const err = new PortcullisError('AWS_UNCLASSIFIED_REQUEST', 'S3 request not classified: PATCH on object');
    expect(renderFailure(err, { ...input, protocol: 'json' }).headers['x-amzn-errortype']).toBe('AccessDeniedException');
    const head = renderFailure(err, { ...input, protocol: 's3', method: 'HEAD' });
    expect(head).toMatchObject({ status: 403, body: '' });
  });

  it('names the denied item, the policy and the rule in a denial', () => {
    const res = renderDenial(
      { forward: false, effect: 'Deny', mode: 'Enforce', reason: 'denied by rule', policy: 'team-a/guard', rule: 'no-deletes', item: { action: 's3:DeleteObject', resource: 'arn:aws:s3:::b/k' } },
      { action: 's3:DeleteObject', resources: ['arn:aws:s3:::b/k', 'arn:aws:s3:::b/j'] },
      { ...input, protocol: 's3' },
    );
    expect(res.body).toContain('Portcullis denied s3:DeleteObject on arn:aws:s3:::b/k (EgressPolicy team-a/guard: denied by rule &quot;no-deletes&quot;)');
  });
});
