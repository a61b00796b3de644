/**
 * The services whose endpoints differ from the standard `<signing-name>.<region>.<dnsSuffix>` pattern, one
 * row each. A service without a row uses the standard pattern (FIPS: `<name>-fips.<region>.<dnsSuffix>`,
 * dual-stack: `<name>.<region>.api.aws`); when that guess is wrong the upstream fails to resolve or
 * answers 4xx, and the fix is a row here or an explicit endpoint on the CredentialSource.
 */
import type { PartitionId } from './partitions.js';

export interface GlobalEndpoint {
  readonly host: string;
  readonly signingRegion: string;
  readonly fipsHost?: string;
}

/** A second host serving the same signing name, picked by the app's Host label or by the request path. */
export interface AlternateHost {
  readonly hostPrefix: string;
  /** Request paths (raw, before the query) that can only belong to this host. */
  readonly paths?: readonly RegExp[];
}

export interface ServiceEndpointRow {
  /** The SigV4 signing name, i.e. the service in the credential scope. */
  readonly signingName: string;
  /** First label(s) of the regional host when they differ from the signing name (`email` for ses). */
  readonly hostPrefix?: string;
  /** Host prefix of the FIPS endpoint when it is not `<hostPrefix>-fips`. */
  readonly fipsHostPrefix?: string;
  /** `api-aws`: `<prefix>.<region>.api.aws`; `s3`: `s3.dualstack.<region>.<dnsSuffix>`; false: none. */
  readonly dualStack?: 'api-aws' | 's3' | false;
  readonly fips?: boolean;
  /** Global services: one endpoint per partition, signed for a fixed region. */
  readonly global?: Partial<Record<PartitionId, GlobalEndpoint>>;
  readonly alternates?: readonly AlternateHost[];
  /** Set when the endpoint cannot be derived from the scope at all; the text says why. */
  readonly overrideOnly?: string;
}

export const SERVICE_ENDPOINTS: readonly ServiceEndpointRow[] = [
  { signingName: 's3', dualStack: 's3' },
  {
    signingName: 'iam',
    dualStack: false,
    global: {
      aws: { host: 'iam.amazonaws.com', signingRegion: 'us-east-1', fipsHost: 'iam-fips.amazonaws.com' },
      'aws-cn': { host: 'iam.cn-north-1.amazonaws.com.cn', signingRegion: 'cn-north-1' },
      'aws-us-gov': { host: 'iam.us-gov.amazonaws.com', signingRegion: 'us-gov-west-1', fipsHost: 'iam.us-gov.amazonaws.com' },
    },
  },
  { signingName: 'sts', dualStack: 'api-aws' },
  {
    signingName: 'cloudfront',
    dualStack: false,
    global: {
      aws: { host: 'cloudfront.amazonaws.com', signingRegion: 'us-east-1', fipsHost: 'cloudfront-fips.amazonaws.com' },
      'aws-cn': { host: 'cloudfront.cn-northwest-1.amazonaws.com.cn', signingRegion: 'cn-northwest-1' },
    },
  },
  {
    signingName: 'route53',
    dualStack: false,
    global: {
      aws: { host: 'route53.amazonaws.com', signingRegion: 'us-east-1', fipsHost: 'route53-fips.amazonaws.com' },
      'aws-cn': { host: 'route53.amazonaws.com.cn', signingRegion: 'cn-northwest-1' },
      'aws-us-gov': { host: 'route53.us-gov.amazonaws.com', signingRegion: 'us-gov-west-1', fipsHost: 'route53.us-gov.amazonaws.com' },
    },
  },
  {
    // The bedrock-runtime, bedrock-agent and bedrock-agent-runtime clients all sign as `bedrock`.
    signingName: 'bedrock',
    dualStack: false,
    alternates: [
      {
        hostPrefix: 'bedrock-runtime',
        paths: [
          /^\/model\/[^/]+\/(?:invoke|invoke-with-response-stream|converse|converse-stream|count-tokens)$/,
          /^\/guardrail\/[^/]+\/version\/[^/]+\/apply$/,
          /^\/async-invoke(?:\/[^/]*)?$/,
          /^\/openai\/v1\//,
        ],
      },
      {
        hostPrefix: 'bedrock-agent-runtime',
        paths: [
          /^\/agents\/[^/]+\/agentAliases\/[^/]+\/(?:sessions\/[^/]+\/text|memories)$/,
          /^\/knowledgebases\/[^/]+\/retrieve$/,
          /^\/retrieveAndGenerate(?:Stream)?$/,
          /^\/flows\/[^/]+\/aliases\/[^/]+$/,
          /^\/rerank$/,
          /^\/sessions(?:\/|$)/,
        ],
      },
      { hostPrefix: 'bedrock-agent', paths: [/^\/(?:agents|knowledgebases|flows|prompts)(?:\/|$)/] },
    ],
  },
  {
    // Control plane on api.sagemaker, inference on runtime.sagemaker; both sign as `sagemaker`.
    signingName: 'sagemaker',
    hostPrefix: 'api.sagemaker',
    fipsHostPrefix: 'api-fips.sagemaker',
    dualStack: false,
    alternates: [{ hostPrefix: 'runtime.sagemaker', paths: [/^\/endpoints\/[^/]+\/(?:invocations|async-invocations|invocations-response-stream)$/] }],
  },
  { signingName: 'ses', hostPrefix: 'email' },
  { signingName: 'ecr', hostPrefix: 'api.ecr', fipsHostPrefix: 'ecr-fips' },
  { signingName: 'mobiletargeting', hostPrefix: 'pinpoint' },
  { signingName: 'dynamodb', dualStack: 'api-aws' },
  { signingName: 'sqs', dualStack: 'api-aws' },
  { signingName: 'ec2', dualStack: 'api-aws' },
  { signingName: 'lambda', dualStack: 'api-aws' },
  {
    signingName: 'execute-api',
    overrideOnly: 'the API id is part of the host (<api-id>.execute-api.<region>.amazonaws.com) and not in the signature',
  },
  { signingName: 'aoss', overrideOnly: 'OpenSearch Serverless collections have their own host (<id>.<region>.aoss.amazonaws.com)' },
  { signingName: 'appsync', overrideOnly: 'AppSync GraphQL APIs have their own host (<id>.appsync-api.<region>.amazonaws.com)' },
  { signingName: 'iotdata', overrideOnly: 'IoT data endpoints are per account (<prefix>-ats.iot.<region>.amazonaws.com)' },
];
