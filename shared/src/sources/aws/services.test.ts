import { describe, expect, it } from '@jest/globals';
import { CRD_SCHEMAS } from '../../crd/schemas.generated.js';
import type { CredentialSource } from '../../crd/index.js';
import { sourceEnv } from '../resolve.js';
import { AWS_SERVICE_ENDPOINT_VARS, awsEndpointVars, type AwsServiceId } from './services.js';

const aws = (services?: AwsServiceId[]): CredentialSource => ({
  apiVersion: 'portcullis.dev/v1alpha1',
  kind: 'CredentialSource',
  metadata: { name: 's3', namespace: 'team-a' },
  spec: { type: 'aws', port: 19000, aws: { staticKeys: { secretRef: { name: 'k' } }, ...(services === undefined ? {} : { services }) } },
});

describe('aws service endpoint variables', () => {
  it('names AWS_ENDPOINT_URL_<serviceId> as the SDKs document it', () => {
    expect(awsEndpointVars(['s3', 'dynamodb', 'secretsmanager', 'logs', 'events'])).toEqual([
      'AWS_ENDPOINT_URL_S3',
      'AWS_ENDPOINT_URL_DYNAMODB',
      'AWS_ENDPOINT_URL_SECRETS_MANAGER',
      'AWS_ENDPOINT_URL_CLOUDWATCH_LOGS',
      'AWS_ENDPOINT_URL_EVENTBRIDGE',
    ]);
  });

  it('uses AWS_ENDPOINT_URL when a source lists no services', () => {
    expect(awsEndpointVars(undefined)).toEqual(['AWS_ENDPOINT_URL']);
  });

  it('covers exactly the services the CRD accepts', () => {
    const json = JSON.stringify(CRD_SCHEMAS.CredentialSource);
    const m = /"services":\{[^]*?"enum":(\[[^\]]*\])/.exec(json);
    expect(m).not.toBeNull();
    expect(Object.keys(AWS_SERVICE_ENDPOINT_VARS).sort()).toEqual((JSON.parse(m?.[1] ?? '[]') as string[]).sort());
  });

  it('points only the listed services at the source and drops AWS_ENDPOINT_URL', () => {
    const env = sourceEnv(aws(['s3']));
    expect(env.map((e) => e.name)).toEqual(['AWS_ENDPOINT_URL_S3', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
    expect(env[0]?.value).toBe('http://127.0.0.1:19000');
  });

  it('keeps AWS_ENDPOINT_URL for a source without services', () => {
    expect(sourceEnv(aws()).map((e) => e.name)).toEqual(['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
  });
});
