import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createResourceValidator } from '@portcullis/shared';
import type { AuditLine } from '../audit/line.js';
import { parseAuditLine } from '../audit/line.js';
import { loadPolicies } from '../replay/load-policies.js';
import { replay } from '../replay/replay.js';
import { renderSuggestion } from './render.js';
import { suggestPolicies } from './suggest.js';
import type { SuggestOptions } from './types.js';

// Property: a suggested policy, tested against the lines it came from, never denies one of them — whatever
// the paths, ids, methods, AWS actions and resources, and whatever the generalisation flags. The policy
// goes through its YAML and the CRD validators first, exactly as `policy test` would load it.

const segment = fc.oneof(
  fc.constantFrom('v1', 'threads', 'messages', 'runs', 'files', 'chat', 'completions', 'repos', 'issues', 'fine_tuning', 'models'),
  fc.uuid(),
  fc.nat({ max: 99999 }).map(String),
  fc.stringMatching(/^(thread|msg|file|run)_[A-Za-z0-9]{3,14}$/),
  fc.stringMatching(/^[A-Za-z0-9_~%*.-]{1,24}$/).filter((s) => s !== '.' && s !== '..'),
);
const path = fc.array(segment, { minLength: 0, maxLength: 6 }).map((segs) => `/${segs.join('/')}`);
const longPath = fc.array(fc.stringMatching(/^[a-z]{30,60}$/), { minLength: 10, maxLength: 14 }).map((segs) => `/${segs.join('/')}`);
const key = fc.array(fc.stringMatching(/^[A-Za-z0-9_.*?-]{1,12}$/), { minLength: 1, maxLength: 4 }).map((p) => p.join('/'));
const bucket = fc.constantFrom('reports', 'exports', 'data-lake');
const awsCall = fc.oneof(
  fc.tuple(fc.constantFrom('s3:GetObject', 's3:PutObject', 's3:DeleteObject'), bucket, key).map(([action, b, k]) => ({ source: 's3', action, resources: [`arn:aws:s3:::${b}/${k}`] })),
  bucket.map((b) => ({ source: 's3', action: 's3:ListBucket', resources: [`arn:aws:s3:::${b}`] })),
  fc.tuple(bucket, key, bucket, key).map(([b1, k1, b2, k2]) => ({
    source: 's3',
    action: 's3:PutObject',
    resources: [`arn:aws:s3:::${b1}/${k1}`],
    extraActions: [{ action: 's3:GetObject', resources: [`arn:aws:s3:::${b2}/${k2}`] }],
  })),
  fc.constant({ source: 'sts', action: 'sts:GetCallerIdentity', resources: ['*'] }),
  fc.constant({ source: 's3', action: 's3:ListAllMyBuckets', resources: [] as string[] }),
  fc.stringMatching(/^[A-Za-z0-9_.-]{1,300}$/).map((t) => ({ source: 'dynamo', action: 'dynamodb:GetItem', resources: [`arn:aws:dynamodb:us-east-1:123456789012:table/${t}`] })),
);
const workload = fc.constantFrom(['team-a', 'agent'], ['team-a', 'reporter'], ['team-b', 'agent']);
const decision = fc.constantFrom(
  { effect: 'Deny', mode: 'Audit', forwarded: true, policy: 'x/observe', rule: null, reason: 'no rule allows it' },
  { effect: 'Allow', mode: 'Enforce', forwarded: true, policy: 'x/p', rule: 'r', reason: 'allowed by rule' },
);
const line = fc.record({
  workload,
  decision,
  status: fc.constantFrom(200, 201, 204, 404, 500),
  call: fc.oneof(
    fc.record({ kind: fc.constant('http' as const), source: fc.constantFrom('openai', 'github'), method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE'), path: fc.oneof({ weight: 9, arbitrary: path }, { weight: 1, arbitrary: longPath }) }),
    fc.record({ kind: fc.constant('aws' as const), aws: awsCall, method: fc.constantFrom('GET', 'PUT', 'POST'), path }),
  ),
});
const options: fc.Arbitrary<SuggestOptions> = fc.record({
  keepIds: fc.boolean(),
  collapseAfter: fc.nat({ max: 4 }),
  s3PrefixDepth: fc.nat({ max: 3 }),
  anyResource: fc.boolean(),
  includeDenied: fc.boolean(),
  mode: fc.constantFrom('Enforce' as const, 'Audit' as const),
});

interface Generated {
  readonly workload: readonly string[];
  readonly decision: object;
  readonly status: number;
  readonly call: { readonly source?: string; readonly method: string; readonly path: string; readonly aws?: { readonly source: string; readonly action: string; readonly resources: readonly string[]; readonly extraActions?: unknown } };
}

function auditLines(generated: readonly Generated[]): AuditLine[] {
  return generated.map((g, i) => {
    const [namespace, serviceAccount] = g.workload as [string, string];
    const { aws } = g.call;
    const text = JSON.stringify({
      schemaVersion: 1,
      kind: 'audit',
      time: new Date(Date.UTC(2026, 11, 1, 9, 0, i)).toISOString(),
      requestId: `r${i}`,
      workload: { namespace, serviceAccount, pod: `${serviceAccount}-0`, podUID: 'u' },
      source: aws ? aws.source : g.call.source,
      method: g.call.method,
      host: 'h',
      path: g.call.path,
      query: '',
      decision: g.decision,
      ...(aws ? { aws: { service: aws.action.split(':')[0], region: 'us-east-1', action: aws.action, resources: aws.resources, ...(aws.extraActions ? { extraActions: aws.extraActions } : {}) } } : {}),
      status: g.status,
      error: null,
      bytesIn: 0,
      bytesOut: 0,
      durationMs: 1,
      upstreamMs: 1,
    });
    const parsed = parseAuditLine(text, `gen:${i + 1}`);
    if (parsed.kind !== 'audit') throw new Error('generator wrote a non-audit line');
    return parsed.line;
  });
}

describe('policy suggest → policy test round trip', () => {
  const validator = createResourceValidator();

  it('a suggested policy never denies one of the lines it came from', () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 40 }), options, (generated, opts) => {
        const lines = auditLines(generated);
        const yaml = renderSuggestion(suggestPolicies(lines, opts));
        const policies = loadPolicies([{ name: 'suggested.yaml', text: yaml }], validator, 'default');
        const report = replay(lines, policies);
        const denied = report.workloads.flatMap((w) => [...w.newlyDenied, ...w.deniedFailed]).map((r) => `${r.line.origin} ${r.line.method} ${r.line.path} ${JSON.stringify(r.after)}`);
        expect(denied).toEqual([]);
        expect(report.replayed).toBe(lines.length);
      }),
      { numRuns: 150, seed: 20261207 },
    );
  });
});
