import { describe, expect, it } from '@jest/globals';
import { denialMessage, renderAccessDenied, xmlEscape, type DenialInput } from './access-denied.js';
import { AWS_ERROR_CODES, AwsProtocolError, isAwsProtocolError, type AwsErrorCode } from './protocol-error.js';

const BASE = { action: 's3:DeleteObject', resources: ['arn:aws:s3:::b/k'], policy: 'team-a/readers', reason: 'no rule allows it', requestId: 'req-1' } as const;

describe('denialMessage', () => {
  it('names the action, the resource and the policy', () => {
    expect(denialMessage(BASE)).toBe('Portcullis denied s3:DeleteObject on arn:aws:s3:::b/k (EgressPolicy team-a/readers: no rule allows it)');
  });

  it('shortens long resource lists and works without a policy', () => {
    const message = denialMessage({ action: 's3:DeleteObject', resources: ['a', 'b', 'c', 'd', 'e'], reason: 'no policy selects this workload' });
    expect(message).toBe('Portcullis denied s3:DeleteObject on a, b, c and 2 more (no policy selects this workload)');
  });
});

describe('renderAccessDenied', () => {
  it('renders S3 errors unwrapped', () => {
    const out = renderAccessDenied({ ...BASE, protocol: 's3' });
    expect(out.status).toBe(403);
    expect(out.headers).toEqual({ 'content-type': 'application/xml', 'x-amz-request-id': 'req-1' });
    expect(out.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Portcullis denied s3:DeleteObject on arn:aws:s3:::b/k (EgressPolicy team-a/readers: no rule allows it)</Message><RequestId>req-1</RequestId></Error>',
    );
  });

  it('renders query-protocol errors wrapped in ErrorResponse', () => {
    const out = renderAccessDenied({ ...BASE, action: 'sts:AssumeRole', protocol: 'query' });
    expect(out.body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<ErrorResponse><Error><Type>Sender<\/Type><Code>AccessDenied<\/Code><Message>Portcullis denied sts:AssumeRole .*<\/Message><\/Error><RequestId>req-1<\/RequestId><\/ErrorResponse>$/);
    expect(out.headers['x-amzn-requestid']).toBe('req-1');
  });

  it('renders EC2 errors as UnauthorizedOperation', () => {
    expect(renderAccessDenied({ ...BASE, protocol: 'ec2' }).body).toContain('<Response><Errors><Error><Code>UnauthorizedOperation</Code>');
  });

  it('renders JSON errors with the request content type and x-amzn-ErrorType', () => {
    const out = renderAccessDenied({ ...BASE, action: 'dynamodb:GetItem', protocol: 'json', jsonVersion: '1.1' });
    expect(out.headers).toEqual({ 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'AccessDeniedException', 'x-amzn-requestid': 'req-1' });
    const body = JSON.parse(out.body) as { __type: string; message: string };
    expect(body.__type).toBe('AccessDeniedException');
    expect(body.message).toContain('dynamodb:GetItem');
  });

  it('renders REST-JSON errors as application/json', () => {
    expect(renderAccessDenied({ ...BASE, protocol: 'rest-json' }).headers['content-type']).toBe('application/json');
  });

  it('sends no body for HEAD', () => {
    expect(renderAccessDenied({ ...BASE, protocol: 's3', method: 'HEAD' }).body).toBe('');
  });

  it('escapes hostile keys so they cannot inject XML', () => {
    const input: DenialInput = { ...BASE, protocol: 's3', resources: ['arn:aws:s3:::b/</Message><Code>OK</Code>&\u0000\u0001'] };
    const out = renderAccessDenied(input);
    expect(out.body).toContain('&lt;/Message&gt;&lt;Code&gt;OK&lt;/Code&gt;&amp;\uFFFD\uFFFD');
    expect(out.body.match(/<Code>/g)).toHaveLength(1);
  });

  it('escapes every XML metacharacter', () => {
    expect(xmlEscape(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  });
});

describe('AwsProtocolError', () => {
  it('documents every code with a meaning and a remedy', () => {
    for (const [code, info] of Object.entries(AWS_ERROR_CODES)) {
      expect(info.meaning.length).toBeGreaterThan(20);
      expect(info.remedy.length).toBeGreaterThan(10);
      expect(new AwsProtocolError(code as AwsErrorCode, 'x').message).toContain(code);
    }
  });

  it('carries its code and cause', () => {
    const cause = new Error('inner');
    const err = new AwsProtocolError('AWS_MALFORMED_PATH', 'bad path', { cause });
    expect(isAwsProtocolError(err, 'AWS_MALFORMED_PATH')).toBe(true);
    expect(isAwsProtocolError(err, 'AWS_MALFORMED_QUERY')).toBe(false);
    expect(err.cause).toBe(cause);
  });
});
