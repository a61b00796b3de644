import type { AwsSource } from '../../crd/index.js';

/** A service id of CredentialSource spec.aws.services (the IAM prefix, which is also the SigV4 signing name). */
export type AwsServiceId = NonNullable<AwsSource['services']>[number];

/**
 * The env var each AWS SDK reads for one service's endpoint (AWS SDKs and Tools reference guide,
 * "Identifiers for service-specific endpoints": AWS_ENDPOINT_URL_ + the serviceId uppercased, spaces
 * to underscores). serviceIds checked against the @aws-sdk/client-* packages: "Secrets Manager",
 * "CloudWatch Logs", "EventBridge".
 */
export const AWS_SERVICE_ENDPOINT_VARS: Readonly<Record<AwsServiceId, string>> = {
  s3: 'AWS_ENDPOINT_URL_S3',
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
  sqs: 'AWS_ENDPOINT_URL_SQS',
  sns: 'AWS_ENDPOINT_URL_SNS',
  sts: 'AWS_ENDPOINT_URL_STS',
  kms: 'AWS_ENDPOINT_URL_KMS',
  secretsmanager: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
  ssm: 'AWS_ENDPOINT_URL_SSM',
  lambda: 'AWS_ENDPOINT_URL_LAMBDA',
  kinesis: 'AWS_ENDPOINT_URL_KINESIS',
  logs: 'AWS_ENDPOINT_URL_CLOUDWATCH_LOGS',
  events: 'AWS_ENDPOINT_URL_EVENTBRIDGE',
};

/** The endpoint variable names a source sets: its services' own, or AWS_ENDPOINT_URL when it lists none. */
export function awsEndpointVars(services: readonly AwsServiceId[] | undefined): string[] {
  if (services === undefined || services.length === 0) return ['AWS_ENDPOINT_URL'];
  return services.map((s) => AWS_SERVICE_ENDPOINT_VARS[s]);
}
