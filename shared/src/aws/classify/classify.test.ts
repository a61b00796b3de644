import { describe, expect, it } from '@jest/globals';
import { classifyAwsRequest } from './classify.js';
import { detectProtocol, type AwsRequestInfo } from './types.js';
import { codeOf } from '../testdata/load.js';

const JSON10 = 'application/x-amz-json-1.0';
const JSON11 = 'application/x-amz-json-1.1';
const FORM = 'application/x-www-form-urlencoded; charset=utf-8';
const ACCOUNT = '123456789012';

function json(service: string, target: string, body: unknown, contentType = JSON10): AwsRequestInfo {
  return { method: 'POST', path: '/', query: '', headers: { 'x-amz-target': target, 'content-type': contentType }, service, region: 'us-east-1', accountId: ACCOUNT, bodyJson: body };
}

function form(service: string, body: string, query = ''): AwsRequestInfo {
  return { method: 'POST', path: '/', query, headers: { 'content-type': FORM }, service, region: 'eu-west-1', accountId: ACCOUNT, bodyForm: body };
}

describe('classifyAwsRequest for JSON protocols', () => {
  const rows: readonly [AwsRequestInfo, string, readonly string[]][] = [
    [json('dynamodb', 'DynamoDB_20120810.GetItem', { TableName: 'orders' }), 'dynamodb:GetItem', [`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders`]],
    [
      json('dynamodb', 'DynamoDB_20120810.BatchWriteItem', { RequestItems: { a: [], b: [] } }),
      'dynamodb:BatchWriteItem',
      [`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/a`, `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/b`],
    ],
    [
      json('dynamodb', 'DynamoDB_20120810.TransactWriteItems', { TransactItems: [{ Put: { TableName: 't1' } }, { Delete: { TableName: 't2' } }] }),
      'dynamodb:TransactWriteItems',
      [`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/t1`, `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/t2`],
    ],
    [json('dynamodb', 'DynamoDB_20120810.Query', { TableName: 'arn:aws:dynamodb:us-east-1:999999999999:table/x' }), 'dynamodb:Query', ['arn:aws:dynamodb:us-east-1:999999999999:table/x']],
    [json('dynamodb', 'DynamoDB_20120810.ListTables', {}), 'dynamodb:ListTables', ['*']],
    [json('sqs', 'AmazonSQS.SendMessage', { QueueUrl: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/jobs.fifo` }), 'sqs:SendMessage', [`arn:aws:sqs:us-east-1:${ACCOUNT}:jobs.fifo`]],
    [json('secretsmanager', 'secretsmanager.GetSecretValue', { SecretId: 'prod/db' }, JSON11), 'secretsmanager:GetSecretValue', [`arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/db`]],
    [json('kms', 'TrentService.Decrypt', { KeyId: 'alias/app' }, JSON11), 'kms:Decrypt', [`arn:aws:kms:us-east-1:${ACCOUNT}:alias/app`]],
    [json('kms', 'TrentService.Decrypt', {}, JSON11), 'kms:Decrypt', ['*']],
    [json('ssm', 'AmazonSSM.GetParameters', { Names: ['/app/a', 'b'] }, JSON11), 'ssm:GetParameters', [`arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/app/a`, `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/b`]],
    [json('logs', 'Logs_20140328.PutLogEvents', { logGroupName: '/aws/app' }, JSON11), 'logs:PutLogEvents', [`arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/app`]],
    [json('monitoring', 'GraniteServiceVersion20100801.PutMetricData', {}), 'cloudwatch:PutMetricData', ['*']],
    [json('cognito-idp', 'AWSCognitoIdentityProviderService.InitiateAuth', {}, JSON11), 'cognito-idp:InitiateAuth', ['*']],
    [json('newservice', 'NewService_20990101.DoThing', { TableName: 'x' }), 'newservice:DoThing', ['*']],
  ];
  for (const [info, action, resources] of rows) {
    it(`classifies ${String(info.headers['x-amz-target'])} as ${action}`, () => {
      expect(classifyAwsRequest(info)).toEqual({ service: action.split(':')[0], action, resources, protocol: 'json' });
    });
  }

  it('uses * for the account when it is unknown', () => {
    const info: AwsRequestInfo = { method: 'POST', path: '/', query: '', headers: { 'x-amz-target': 'DynamoDB_20120810.GetItem', 'content-type': JSON10 }, service: 'dynamodb', region: 'us-east-1', bodyJson: { TableName: 'orders' } };
    expect(classifyAwsRequest(info).resources).toEqual(['arn:aws:dynamodb:us-east-1:*:table/orders']);
  });

  it('refuses a target of another service than the signed one', () => {
    expect(codeOf(() => classifyAwsRequest(json('sqs', 'DynamoDB_20120810.GetItem', {})))).toBe('AWS_UNCLASSIFIED_REQUEST');
  });

  it('refuses a malformed target', () => {
    expect(codeOf(() => classifyAwsRequest(json('dynamodb', 'DynamoDB_20120810.Get.Item', {})))).toBe('AWS_UNCLASSIFIED_REQUEST');
    expect(codeOf(() => classifyAwsRequest(json('dynamodb', '__proto__.GetItem', {})))).toBe('AWS_UNCLASSIFIED_REQUEST');
  });

  it('refuses a target without an x-amz-json body', () => {
    expect(codeOf(() => classifyAwsRequest(json('dynamodb', 'DynamoDB_20120810.GetItem', {}, 'application/json')))).toBe('AWS_UNCLASSIFIED_REQUEST');
  });

  it('refuses a target combined with a form Action (protocol confusion)', () => {
    const info: AwsRequestInfo = { ...form('sqs', 'Action=DeleteQueue'), headers: { 'x-amz-target': 'AmazonSQS.ReceiveMessage', 'content-type': FORM } };
    expect(codeOf(() => classifyAwsRequest(info))).toBe('AWS_UNCLASSIFIED_REQUEST');
  });
});

describe('classifyAwsRequest for query protocols', () => {
  const rows: readonly [AwsRequestInfo, string, readonly string[], string][] = [
    [form('sts', 'Action=GetCallerIdentity&Version=2011-06-15'), 'sts:GetCallerIdentity', ['*'], 'query'],
    [form('sts', `Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A${ACCOUNT}%3Arole%2Fapp`), 'sts:AssumeRole', [`arn:aws:iam::${ACCOUNT}:role/app`], 'query'],
    [form('sns', `Action=Publish&TopicArn=arn%3Aaws%3Asns%3Aeu-west-1%3A${ACCOUNT}%3Aalerts&Message=hi`), 'sns:Publish', [`arn:aws:sns:eu-west-1:${ACCOUNT}:alerts`], 'query'],
    [form('sns', 'Action=CreateTopic&Name=alerts'), 'sns:CreateTopic', [`arn:aws:sns:eu-west-1:${ACCOUNT}:alerts`], 'query'],
    [form('sqs', `Action=SendMessage&QueueUrl=https%3A%2F%2Fsqs.eu-west-1.amazonaws.com%2F${ACCOUNT}%2Fq`), 'sqs:SendMessage', [`arn:aws:sqs:eu-west-1:${ACCOUNT}:q`], 'query'],
    [form('iam', 'Action=ListRoles&Version=2010-05-08'), 'iam:ListRoles', ['*'], 'query'],
    [form('iam', 'Action=GetRole&RoleName=app'), 'iam:GetRole', [`arn:aws:iam::${ACCOUNT}:role/app`], 'query'],
    [form('ec2', 'Action=DescribeInstances'), 'ec2:DescribeInstances', ['*'], 'ec2'],
    [form('monitoring', 'Action=PutMetricData'), 'cloudwatch:PutMetricData', ['*'], 'query'],
    [{ method: 'GET', path: '/', query: 'Action=GetCallerIdentity&Version=2011-06-15', headers: {}, service: 'sts', region: 'us-east-1' }, 'sts:GetCallerIdentity', ['*'], 'query'],
  ];
  for (const [info, action, resources, protocol] of rows) {
    it(`classifies ${action}`, () => {
      expect(classifyAwsRequest(info)).toEqual({ service: action.split(':')[0], action, resources, protocol });
    });
  }

  it('refuses an Action given twice with different values (parameter pollution)', () => {
    expect(codeOf(() => classifyAwsRequest(form('sqs', 'Action=SendMessage', 'Action=DeleteQueue')))).toBe('AWS_MALFORMED_QUERY');
  });

  it('refuses a form post whose body was not supplied', () => {
    const info: AwsRequestInfo = { method: 'POST', path: '/', query: '', headers: { 'content-type': FORM }, service: 'sqs', region: 'eu-west-1' };
    expect(codeOf(() => classifyAwsRequest(info))).toBe('AWS_UNCLASSIFIED_REQUEST');
  });

  it('refuses a form post without Action and an invalid Action', () => {
    expect(codeOf(() => classifyAwsRequest(form('sqs', 'Version=1')))).toBe('AWS_UNCLASSIFIED_REQUEST');
    expect(codeOf(() => classifyAwsRequest(form('sqs', 'Action=Send%3AMessage')))).toBe('AWS_UNCLASSIFIED_REQUEST');
  });

  it('uses * for a QueueUrl it cannot read', () => {
    expect(classifyAwsRequest(form('sqs', 'Action=SendMessage&QueueUrl=not-a-url')).resources).toEqual(['*']);
  });
});

describe('classifyAwsRequest for REST-JSON services', () => {
  const rest = (service: string, method: string, path: string): AwsRequestInfo => ({ method, path, query: '', headers: { 'content-type': 'application/json' }, service, region: 'us-west-2', accountId: ACCOUNT });
  const rows: readonly [AwsRequestInfo, string, string][] = [
    [rest('lambda', 'POST', '/2015-03-31/functions/my-fn/invocations'), 'lambda:InvokeFunction', `arn:aws:lambda:us-west-2:${ACCOUNT}:function:my-fn`],
    [rest('lambda', 'POST', `/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-west-2%3A999999999999%3Afunction%3Ax/invocations`), 'lambda:InvokeFunction', 'arn:aws:lambda:us-west-2:999999999999:function:x'],
    [rest('lambda', 'DELETE', '/2015-03-31/functions/my-fn'), 'lambda:DeleteFunction', `arn:aws:lambda:us-west-2:${ACCOUNT}:function:my-fn`],
    [rest('lambda', 'GET', '/2015-03-31/functions/'), 'lambda:ListFunctions', '*'],
    [rest('bedrock', 'POST', '/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke'), 'bedrock:InvokeModel', 'arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0'],
    [rest('bedrock', 'POST', '/model/us.anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse'), 'bedrock:InvokeModel', `arn:aws:bedrock:us-west-2:${ACCOUNT}:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0`],
    [rest('bedrock', 'POST', '/model/m/converse-stream'), 'bedrock:InvokeModelWithResponseStream', 'arn:aws:bedrock:us-west-2::foundation-model/m'],
    [rest('bedrock', 'POST', '/agents/A/agentAliases/B/sessions/s/text'), 'bedrock:InvokeAgent', `arn:aws:bedrock:us-west-2:${ACCOUNT}:agent-alias/A/B`],
    [rest('execute-api', 'GET', '/prod/pets/1'), 'execute-api:Invoke', `arn:aws:execute-api:us-west-2:${ACCOUNT}:*/prod/GET/pets/1`],
  ];
  for (const [info, action, resource] of rows) {
    it(`classifies ${info.method} ${info.path} as ${action}`, () => {
      expect(classifyAwsRequest(info)).toEqual({ service: action.split(':')[0], action, resources: [resource], protocol: 'rest-json' });
    });
  }

  it('refuses dot segments and empty segments that AWS would normalize away', () => {
    expect(codeOf(() => classifyAwsRequest(rest('bedrock', 'POST', '/model/allowed/../denied/invoke')))).toBe('AWS_MALFORMED_PATH');
    expect(codeOf(() => classifyAwsRequest(rest('lambda', 'POST', '/2015-03-31/functions/./invocations')))).toBe('AWS_MALFORMED_PATH');
    expect(codeOf(() => classifyAwsRequest(rest('lambda', 'POST', '/2015-03-31//functions/f/invocations')))).toBe('AWS_MALFORMED_PATH');
  });

  it('refuses a REST call no row describes', () => {
    expect(codeOf(() => classifyAwsRequest(rest('lambda', 'POST', '/2015-03-31/functions/f/policy')))).toBe('AWS_UNCLASSIFIED_REQUEST');
  });
});

describe('detectProtocol', () => {
  it('tells the error shape from the signing name and headers', () => {
    expect(detectProtocol('s3', {})).toBe('s3');
    expect(detectProtocol('dynamodb', { 'content-type': JSON10 })).toBe('json');
    expect(detectProtocol('sqs', { 'x-amz-target': 'AmazonSQS.SendMessage' })).toBe('json');
    expect(detectProtocol('sqs', { 'content-type': FORM })).toBe('query');
    expect(detectProtocol('sts', {})).toBe('query');
    expect(detectProtocol('ec2', { 'content-type': FORM })).toBe('ec2');
    expect(detectProtocol('route53', {})).toBe('rest-xml');
    expect(detectProtocol('bedrock', { 'content-type': 'application/json' })).toBe('rest-json');
  });
});
