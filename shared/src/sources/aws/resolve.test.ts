import { describe, expect, it } from '@jest/globals';
import type { AwsSource, CredentialSource } from '../../crd/index.js';
import { resolveAwsSource } from './resolve.js';

const awsSource = (name: string, port: number, aws: AwsSource): CredentialSource => ({
  apiVersion: 'portcullis.dev/v1alpha1',
  kind: 'CredentialSource',
  metadata: { name, namespace: 'team-a' },
  spec: { type: 'aws', port, aws },
});

const web = { roleArn: 'arn:aws-us-gov:iam::123456789012:role/path/app' };
const resolve = (aws: AwsSource): ReturnType<typeof resolveAwsSource> => resolveAwsSource(awsSource('aws', 18100, aws));

describe('resolveAwsSource', () => {
  it('applies the defaults and takes the account and partition from the role', () => {
    expect(resolve({ webIdentity: web })).toEqual({
      type: 'aws',
      name: 'aws',
      port: 18100,
      endpoint: undefined,
      useFips: false,
      useDualstack: false,
      sigV2Region: 'us-east-1',
      credentials: { kind: 'webIdentity', roleArn: web.roleArn, accountId: '123456789012', partition: 'aws-us-gov', sessionDurationSeconds: 3600, stsRegion: undefined, tokenAudience: 'sts.amazonaws.com' },
    });
  });

  it('re-signs SigV2 presigned URLs for the AWS_REGION the app is given, else AWS_DEFAULT_REGION, else us-east-1', () => {
    const withEnv = (env: { name: string; value: string }[]): unknown => resolveAwsSource({ ...awsSource('aws', 18100, { webIdentity: web }), spec: { type: 'aws', port: 18100, aws: { webIdentity: web }, env } });
    expect(withEnv([{ name: 'AWS_DEFAULT_REGION', value: 'eu-west-3' }, { name: 'AWS_REGION', value: 'us-gov-west-1' }])).toMatchObject({ sigV2Region: 'us-gov-west-1' });
    expect(withEnv([{ name: 'AWS_DEFAULT_REGION', value: 'eu-west-3' }])).toMatchObject({ sigV2Region: 'eu-west-3' });
    expect(withEnv([{ name: 'AWS_REGION', value: '$(NOT_A_REGION)' }])).toMatchObject({ sigV2Region: 'us-east-1' });
  });

  it('fills in the Secret key names of static keys', () => {
    expect(resolve({ staticKeys: { secretRef: { name: 'keys' } } })).toMatchObject({
      credentials: { kind: 'staticKeys', secretName: 'keys', accessKeyIdKey: 'AWS_ACCESS_KEY_ID', secretAccessKeyKey: 'AWS_SECRET_ACCESS_KEY', sessionTokenKey: undefined },
    });
  });

  it.each<[string, AwsSource, string]>([
    ['both credential kinds', { webIdentity: web, staticKeys: { secretRef: { name: 'k' } } }, 'exactly one of webIdentity, staticKeys or vault'],
    ['a plaintext endpoint without the opt-in', { endpoint: 'http://minio:9000', webIdentity: web }, 'must use https://'],
    ['an endpoint with a path', { endpoint: 'https://vpce.example/s3', webIdentity: web }, 'without a path'],
    ['an endpoint with FIPS', { endpoint: 'https://vpce.example', useFipsEndpoint: true, webIdentity: web }, 'cannot be combined'],
    ['a role ARN of a user', { webIdentity: { roleArn: 'arn:aws:iam::123456789012:user/bob' } }, 'is not an IAM role ARN'],
    ['a session too short for STS', { webIdentity: { ...web, sessionDurationSeconds: 60 } }, '900..43200'],
  ])('reports %s instead of serving it', (_what, aws, message) => {
    expect(resolve(aws)).toEqual({ source: 'aws', message: expect.stringContaining(message) });
  });
});
