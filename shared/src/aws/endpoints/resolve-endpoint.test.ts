import { describe, expect, it } from '@jest/globals';
import { resolveEndpoint, type EndpointRequest } from './resolve-endpoint.js';
import { partitionOf } from './partitions.js';
import { codeOf } from '../testdata/load.js';

type Row = readonly [EndpointRequest, string, string, string]; // request, host, signing region, partition

// One row per behaviour; adding a service to the table means adding its row here.
const ROWS: readonly Row[] = [
  [{ service: 's3', region: 'us-east-1' }, 's3.us-east-1.amazonaws.com', 'us-east-1', 'aws'],
  [{ service: 's3', region: 'eu-west-1', useFips: false, useDualstack: true }, 's3.dualstack.eu-west-1.amazonaws.com', 'eu-west-1', 'aws'],
  [{ service: 's3', region: 'us-east-2', useFips: true }, 's3-fips.us-east-2.amazonaws.com', 'us-east-2', 'aws'],
  [{ service: 's3', region: 'us-east-2', useFips: true, useDualstack: true }, 's3-fips.dualstack.us-east-2.amazonaws.com', 'us-east-2', 'aws'],
  [{ service: 's3', region: 'cn-north-1' }, 's3.cn-north-1.amazonaws.com.cn', 'cn-north-1', 'aws-cn'],
  [{ service: 's3', region: 'cn-north-1', useDualstack: true }, 's3.dualstack.cn-north-1.amazonaws.com.cn', 'cn-north-1', 'aws-cn'],
  [{ service: 's3', region: 'us-gov-west-1', useFips: true }, 's3-fips.us-gov-west-1.amazonaws.com', 'us-gov-west-1', 'aws-us-gov'],
  [{ service: 'iam', region: 'eu-central-1' }, 'iam.amazonaws.com', 'us-east-1', 'aws'],
  [{ service: 'iam', region: 'us-east-1', useFips: true }, 'iam-fips.amazonaws.com', 'us-east-1', 'aws'],
  [{ service: 'iam', region: 'cn-northwest-1' }, 'iam.cn-north-1.amazonaws.com.cn', 'cn-north-1', 'aws-cn'],
  [{ service: 'iam', region: 'us-gov-east-1' }, 'iam.us-gov.amazonaws.com', 'us-gov-west-1', 'aws-us-gov'],
  [{ service: 'sts', region: 'ap-southeast-2' }, 'sts.ap-southeast-2.amazonaws.com', 'ap-southeast-2', 'aws'],
  [{ service: 'sts', region: 'us-east-1', useFips: true }, 'sts-fips.us-east-1.amazonaws.com', 'us-east-1', 'aws'],
  [{ service: 'sts', region: 'us-east-1', useDualstack: true }, 'sts.us-east-1.api.aws', 'us-east-1', 'aws'],
  [{ service: 'cloudfront', region: 'eu-west-3' }, 'cloudfront.amazonaws.com', 'us-east-1', 'aws'],
  [{ service: 'cloudfront', region: 'cn-north-1' }, 'cloudfront.cn-northwest-1.amazonaws.com.cn', 'cn-northwest-1', 'aws-cn'],
  [{ service: 'route53', region: 'us-west-2' }, 'route53.amazonaws.com', 'us-east-1', 'aws'],
  [{ service: 'route53', region: 'us-gov-west-1' }, 'route53.us-gov.amazonaws.com', 'us-gov-west-1', 'aws-us-gov'],
  [{ service: 'dynamodb', region: 'us-west-2' }, 'dynamodb.us-west-2.amazonaws.com', 'us-west-2', 'aws'],
  [{ service: 'dynamodb', region: 'us-west-2', useFips: true }, 'dynamodb-fips.us-west-2.amazonaws.com', 'us-west-2', 'aws'],
  [{ service: 'dynamodb', region: 'us-west-2', useDualstack: true }, 'dynamodb.us-west-2.api.aws', 'us-west-2', 'aws'],
  [{ service: 'dynamodb', region: 'us-west-2', useFips: true, useDualstack: true }, 'dynamodb-fips.us-west-2.api.aws', 'us-west-2', 'aws'],
  [{ service: 'sqs', region: 'cn-north-1', useDualstack: true }, 'sqs.cn-north-1.api.amazonwebservices.com.cn', 'cn-north-1', 'aws-cn'],
  [{ service: 'ses', region: 'eu-west-1' }, 'email.eu-west-1.amazonaws.com', 'eu-west-1', 'aws'],
  [{ service: 'ecr', region: 'us-east-1' }, 'api.ecr.us-east-1.amazonaws.com', 'us-east-1', 'aws'],
  [{ service: 'ecr', region: 'us-east-1', useFips: true }, 'ecr-fips.us-east-1.amazonaws.com', 'us-east-1', 'aws'],
  [{ service: 'sagemaker', region: 'us-east-1' }, 'api.sagemaker.us-east-1.amazonaws.com', 'us-east-1', 'aws'],
  [{ service: 'sagemaker', region: 'us-east-1', path: '/endpoints/my-ep/invocations' }, 'runtime.sagemaker.us-east-1.amazonaws.com', 'us-east-1', 'aws'],
  [{ service: 'bedrock', region: 'us-east-1' }, 'bedrock.us-east-1.amazonaws.com', 'us-east-1', 'aws'],
  [{ service: 'bedrock', region: 'us-east-1', path: '/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke' }, 'bedrock-runtime.us-east-1.amazonaws.com', 'us-east-1', 'aws'],
  [{ service: 'bedrock', region: 'us-west-2', path: '/model/m/converse-stream' }, 'bedrock-runtime.us-west-2.amazonaws.com', 'us-west-2', 'aws'],
  [{ service: 'bedrock', region: 'us-east-1', path: '/model/m/converse', useFips: true }, 'bedrock-runtime-fips.us-east-1.amazonaws.com', 'us-east-1', 'aws'],
  [{ service: 'bedrock', region: 'us-east-1', path: '/agents/A1/agentAliases/AL1/sessions/s1/text' }, 'bedrock-agent-runtime.us-east-1.amazonaws.com', 'us-east-1', 'aws'],
  [{ service: 'bedrock', region: 'us-east-1', path: '/knowledgebases/KB1/retrieve' }, 'bedrock-agent-runtime.us-east-1.amazonaws.com', 'us-east-1', 'aws'],
  [{ service: 'bedrock', region: 'us-east-1', path: '/agents/' }, 'bedrock-agent.us-east-1.amazonaws.com', 'us-east-1', 'aws'],
  [{ service: 'bedrock', region: 'us-east-1', path: '/foundation-models' }, 'bedrock.us-east-1.amazonaws.com', 'us-east-1', 'aws'],
  [{ service: 'bedrock', region: 'us-east-1', hostPrefixHint: 'bedrock-runtime', path: '/agents/' }, 'bedrock-runtime.us-east-1.amazonaws.com', 'us-east-1', 'aws'],
  [{ service: 'lambda', region: 'eu-north-1' }, 'lambda.eu-north-1.amazonaws.com', 'eu-north-1', 'aws'],
  [{ service: 'somefutureservice', region: 'ap-south-2' }, 'somefutureservice.ap-south-2.amazonaws.com', 'ap-south-2', 'aws'],
  [{ service: 'execute-api', region: 'us-east-1', override: 'https://abc123.execute-api.us-east-1.amazonaws.com/prod' }, 'abc123.execute-api.us-east-1.amazonaws.com', 'us-east-1', 'aws'],
  [{ service: 'lambda', region: 'us-east-1', override: new URL('https://xyz.lambda-url.us-east-1.on.aws') }, 'xyz.lambda-url.us-east-1.on.aws', 'us-east-1', 'aws'],
  [{ service: 's3', region: 'us-east-1', override: 'http://127.0.0.1:5000' }, '127.0.0.1:5000', 'us-east-1', 'aws'],
];

describe('resolveEndpoint', () => {
  for (const [request, host, signingRegion, partition] of ROWS) {
    it(`resolves ${request.service} in ${request.region}${request.useFips === true ? ' (FIPS)' : ''}${request.useDualstack === true ? ' (dual-stack)' : ''}${request.path === undefined ? '' : ` for ${request.path}`} to ${host}`, () => {
      const resolved = resolveEndpoint(request);
      expect(resolved.url.host).toBe(host);
      expect(resolved.url.pathname).toBe('/');
      expect(resolved.signingName).toBe(request.service);
      expect(resolved.signingRegion).toBe(signingRegion);
      expect(resolved.partition).toBe(partition);
    });
  }

  const refused: readonly [string, EndpointRequest, string][] = [
    ['execute-api without an override', { service: 'execute-api', region: 'us-east-1' }, 'AWS_UNSUPPORTED_SERVICE'],
    ['a service name that would steer the host', { service: 'evil.com#', region: 'us-east-1' }, 'AWS_UNSUPPORTED_SERVICE'],
    ['a service name with a dot', { service: 's3.evil.com', region: 'us-east-1' }, 'AWS_UNSUPPORTED_SERVICE'],
    ['a region that would steer the host', { service: 's3', region: 'evil.com' }, 'AWS_UNSUPPORTED_REGION'],
    ['a region with a port', { service: 's3', region: 'us-east-1:444' }, 'AWS_UNSUPPORTED_REGION'],
    ['an ISO partition region', { service: 's3', region: 'us-iso-east-1' }, 'AWS_UNSUPPORTED_REGION'],
    ['a host hint outside the table', { service: 'bedrock', region: 'us-east-1', hostPrefixHint: 'attacker' }, 'AWS_UNSUPPORTED_SERVICE'],
    ['a host hint of another service', { service: 'bedrock', region: 'us-east-1', hostPrefixHint: 's3' }, 'AWS_UNSUPPORTED_SERVICE'],
    ['FIPS in China', { service: 's3', region: 'cn-north-1', useFips: true }, 'AWS_UNSUPPORTED_ENDPOINT_VARIANT'],
    ['dual-stack IAM', { service: 'iam', region: 'us-east-1', useDualstack: true }, 'AWS_UNSUPPORTED_ENDPOINT_VARIANT'],
    ['FIPS IAM in China', { service: 'iam', region: 'cn-north-1', useFips: true }, 'AWS_UNSUPPORTED_ENDPOINT_VARIANT'],
    ['CloudFront in GovCloud', { service: 'cloudfront', region: 'us-gov-west-1' }, 'AWS_UNSUPPORTED_ENDPOINT_VARIANT'],
    ['dual-stack Bedrock', { service: 'bedrock', region: 'us-east-1', useDualstack: true }, 'AWS_UNSUPPORTED_ENDPOINT_VARIANT'],
    ['an override with credentials', { service: 's3', region: 'us-east-1', override: 'https://user:pw@example.com' }, 'AWS_UNSUPPORTED_SERVICE'],
    ['an override with another scheme', { service: 's3', region: 'us-east-1', override: 'file:///etc/passwd' }, 'AWS_UNSUPPORTED_SERVICE'],
  ];
  for (const [what, request, code] of refused) {
    it(`refuses ${what} with ${code}`, () => {
      expect(codeOf(() => resolveEndpoint(request))).toBe(code);
    });
  }
});

describe('partitionOf', () => {
  it('maps region prefixes to partitions', () => {
    expect(partitionOf('eu-south-2').id).toBe('aws');
    expect(partitionOf('cn-northwest-1').id).toBe('aws-cn');
    expect(partitionOf('us-gov-east-1').id).toBe('aws-us-gov');
  });
});
