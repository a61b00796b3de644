/**
 * REST-JSON classification (Lambda, Bedrock runtimes, API Gateway execute-api): method + path pattern →
 * action, one row per operation. Path parameters are taken from the decoded path segments. A REST request
 * no row matches is refused as unclassified.
 */
import { arn, isArn } from './arn.js';
import { iamPrefixOf, type AwsClassification, type AwsRequestInfo } from './types.js';
import { AwsProtocolError } from '../errors/protocol-error.js';
import { decodePathSegments } from '../request/uri.js';

export interface RestRow {
  readonly signingName: string;
  /** HTTP method, or `*` for any. */
  readonly method: string;
  /** Segments after the leading `/`; `{name}` captures one decoded segment, `{name+}` the rest. */
  readonly path: string;
  readonly action: string;
  readonly resource: (params: Readonly<Record<string, string>>, info: AwsRequestInfo) => string;
}

function lambdaFunction(p: Readonly<Record<string, string>>, info: AwsRequestInfo): string {
  const name = p.name ?? '';
  if (isArn(name)) return name;
  // Partial ARNs (`123456789012:function:name`) and plain names.
  const partial = /^(\d{12}):function:([A-Za-z0-9_-]+(?::[A-Za-z0-9$_-]+)?)$/.exec(name);
  if (partial !== null) return arn(info.region, 'lambda', partial[1], `function:${partial[2] ?? ''}`);
  return arn(info.region, 'lambda', info.accountId, `function:${name}`);
}

/** Geographic inference-profile ids (`us.anthropic...`) vs foundation-model ids; ARNs pass through. */
function bedrockModel(p: Readonly<Record<string, string>>, info: AwsRequestInfo): string {
  const id = p.model ?? '';
  if (isArn(id)) return id;
  if (/^(?:us|eu|apac|us-gov|global|jp|au|ca)\./.test(id)) return arn(info.region, 'bedrock', info.accountId, `inference-profile/${id}`);
  return arn(info.region, 'bedrock', '', `foundation-model/${id}`);
}

const fn = lambdaFunction;
const model = bedrockModel;
const agentAlias = (p: Readonly<Record<string, string>>, i: AwsRequestInfo): string => arn(i.region, 'bedrock', i.accountId, `agent-alias/${p.agent ?? ''}/${p.alias ?? ''}`);
const kb = (p: Readonly<Record<string, string>>, i: AwsRequestInfo): string => arn(i.region, 'bedrock', i.accountId, `knowledge-base/${p.kb ?? ''}`);

/** `arn:...:execute-api:<region>:<account>:<api-id>/<stage>/<METHOD>/<path>`; the API id is in the host, so `*`. */
function executeApi(p: Readonly<Record<string, string>>, i: AwsRequestInfo): string {
  const [stage = '', ...rest] = (p.rest ?? '').split('/');
  return arn(i.region, 'execute-api', i.accountId, `*/${stage}/${i.method.toUpperCase()}/${rest.join('/')}`);
}

export const REST_ROWS: readonly RestRow[] = [
  { signingName: 'lambda', method: 'POST', path: '2015-03-31/functions/{name}/invocations', action: 'InvokeFunction', resource: fn },
  { signingName: 'lambda', method: 'POST', path: '2021-11-15/functions/{name}/response-streaming-invocations', action: 'InvokeFunction', resource: fn },
  { signingName: 'lambda', method: 'POST', path: '2014-11-13/functions/{name}/invoke-async', action: 'InvokeAsync', resource: fn },
  { signingName: 'lambda', method: 'GET', path: '2015-03-31/functions', action: 'ListFunctions', resource: () => '*' },
  { signingName: 'lambda', method: 'GET', path: '2015-03-31/functions/{name}', action: 'GetFunction', resource: fn },
  { signingName: 'lambda', method: 'DELETE', path: '2015-03-31/functions/{name}', action: 'DeleteFunction', resource: fn },
  { signingName: 'lambda', method: 'GET', path: '2015-03-31/functions/{name}/configuration', action: 'GetFunctionConfiguration', resource: fn },
  { signingName: 'lambda', method: 'PUT', path: '2015-03-31/functions/{name}/configuration', action: 'UpdateFunctionConfiguration', resource: fn },
  { signingName: 'lambda', method: 'PUT', path: '2015-03-31/functions/{name}/code', action: 'UpdateFunctionCode', resource: fn },
  { signingName: 'bedrock', method: 'POST', path: 'model/{model}/invoke', action: 'InvokeModel', resource: model },
  { signingName: 'bedrock', method: 'POST', path: 'model/{model}/converse', action: 'InvokeModel', resource: model },
  { signingName: 'bedrock', method: 'POST', path: 'model/{model}/invoke-with-response-stream', action: 'InvokeModelWithResponseStream', resource: model },
  { signingName: 'bedrock', method: 'POST', path: 'model/{model}/converse-stream', action: 'InvokeModelWithResponseStream', resource: model },
  { signingName: 'bedrock', method: 'POST', path: 'model/{model}/count-tokens', action: 'CountTokens', resource: model },
  {
    signingName: 'bedrock',
    method: 'POST',
    path: 'guardrail/{id}/version/{version}/apply',
    action: 'ApplyGuardrail',
    resource: (p, i) => arn(i.region, 'bedrock', i.accountId, `guardrail/${p.id ?? ''}`),
  },
  { signingName: 'bedrock', method: 'POST', path: 'agents/{agent}/agentAliases/{alias}/sessions/{session}/text', action: 'InvokeAgent', resource: agentAlias },
  { signingName: 'bedrock', method: 'POST', path: 'knowledgebases/{kb}/retrieve', action: 'Retrieve', resource: kb },
  { signingName: 'bedrock', method: 'POST', path: 'retrieveAndGenerate', action: 'RetrieveAndGenerate', resource: () => '*' },
  { signingName: 'bedrock', method: 'GET', path: 'foundation-models', action: 'ListFoundationModels', resource: () => '*' },
  {
    signingName: 'execute-api',
    method: '*',
    path: '{rest+}',
    action: 'Invoke',
    resource: executeApi,
  },
];

function match(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const part = pattern[i] ?? '';
    const segment = segments[i];
    if (part.endsWith('+}')) {
      params[part.slice(1, -2)] = segments.slice(i).join('/');
      return params;
    }
    if (segment === undefined) return undefined;
    if (part.startsWith('{')) {
      if (segment === '') return undefined;
      params[part.slice(1, -1)] = segment;
    } else if (part !== segment) {
      return undefined;
    }
  }
  return segments.length === pattern.length ? params : undefined;
}

const COMPILED = REST_ROWS.map((row) => ({ row, pattern: row.path.split('/') }));

/** Classifies a REST request; undefined when no row matches. */
export function classifyRest(info: AwsRequestInfo): AwsClassification | undefined {
  const segments = decodePathSegments(info.path === '' ? '/' : info.path).slice(1);
  if (segments[segments.length - 1] === '') segments.pop();
  // AWS normalizes these away before routing; refusing them keeps our reading of the path equal to AWS's.
  if (segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new AwsProtocolError('AWS_MALFORMED_PATH', 'REST paths with empty, . or .. segments are refused');
  }
  const method = info.method.toUpperCase();
  for (const { row, pattern } of COMPILED) {
    if (row.signingName !== info.service || (row.method !== '*' && row.method !== method)) continue;
    const params = match(pattern, segments);
    if (params === undefined) continue;
    const service = iamPrefixOf(info.service);
    return { service, action: `${service}:${row.action}`, resources: [row.resource(params, info)], protocol: 'rest-json' };
  }
  return undefined;
}
