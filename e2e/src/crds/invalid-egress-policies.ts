// EgressPolicy specs the API server must refuse, each one field away from a valid spec.
import { allowRule as rule, egressPolicy as ep, type InvalidCase, policySpec, withRule } from './manifests.js';

export const invalidEgressPolicies: readonly InvalidCase[] = [
  {
    name: 'an empty rule list',
    manifest: ep({ ...policySpec, rules: [] }),
    field: 'spec.rules',
    message: 'spec.rules must list at least one rule',
  },
  {
    name: 'more than 256 rules',
    manifest: ep({ ...policySpec, rules: Array.from({ length: 257 }, () => ({ effect: 'Allow', source: 's3' })) }),
    field: 'spec.rules',
    message: 'must have at most 256 items',
  },
  {
    name: 'workloads that select nothing',
    manifest: ep({ ...policySpec, workloads: {} }),
    field: 'spec.workloads',
    message: 'spec.workloads must set serviceAccounts or podSelector',
  },
  {
    name: 'a service account name in upper case',
    manifest: ep({ ...policySpec, workloads: { serviceAccounts: ['Reports'] } }),
    field: 'spec.workloads.serviceAccounts[0]',
    message: 'should match',
  },
  {
    name: 'an In requirement without values',
    manifest: ep({
      ...policySpec,
      workloads: { podSelector: { matchExpressions: [{ key: 'tier', operator: 'In' }] } },
    }),
    field: 'spec.workloads.podSelector.matchExpressions[0]',
    message: 'operator In needs at least one entry in values',
  },
  {
    name: 'a label key that is not a label key',
    manifest: ep({ ...policySpec, workloads: { podSelector: { matchLabels: { 'app name': 'reports' } } } }),
    field: 'spec.workloads.podSelector.matchLabels',
    message: 'matchLabels keys must be label keys such as app or example.com/team',
  },
  {
    name: 'an empty method list',
    manifest: ep(withRule({ ...rule, methods: [] })),
    field: 'spec.rules[0].methods',
    message: 'omit methods to match every method',
  },
  {
    name: 'an unknown mode',
    manifest: ep({ ...policySpec, mode: 'Permissive' }),
    field: 'spec.mode',
    message: 'Unsupported value: "Permissive": supported values: "Enforce", "Audit"',
  },
  {
    name: 'an unknown effect',
    manifest: ep(withRule({ ...rule, effect: 'Permit' })),
    field: 'spec.rules[0].effect',
    message: 'Unsupported value: "Permit": supported values: "Allow", "Deny"',
  },
  {
    name: 'a rule without a source',
    manifest: ep(withRule({ effect: 'Allow' })),
    field: 'spec.rules[0].source',
    message: 'Required value',
  },
  {
    name: 'a source that cannot name a CredentialSource',
    manifest: ep(withRule({ ...rule, source: 'Open_AI' })),
    field: 'spec.rules[0].source',
    message: 'source "Open_AI" must be the name of a CredentialSource',
  },
  {
    name: 'two rules with the same name',
    manifest: ep({ ...policySpec, rules: [rule, { ...rule, effect: 'Deny' }] }),
    field: 'spec.rules',
    message: 'spec.rules names must be unique within the policy',
  },
  {
    name: 'a lower-case method',
    manifest: ep(withRule({ ...rule, methods: ['get'] })),
    field: 'spec.rules[0].methods[0]',
    message: 'Unsupported value: "get"',
  },
  {
    name: '"*" next to other methods',
    manifest: ep(withRule({ ...rule, methods: ['*', 'GET'] })),
    field: 'spec.rules[0].methods',
    message: 'methods "*" already matches every method; list it alone',
  },
  {
    name: 'a path glob without a leading slash',
    manifest: ep(withRule({ ...rule, paths: ['v1/chat/completions'] })),
    field: 'spec.rules[0].paths[0]',
    message: 'path "v1/chat/completions" must start with "/"',
  },
  {
    name: 'a "**" inside a path segment',
    manifest: ep(withRule({ ...rule, paths: ['/v1/**.json'] })),
    field: 'spec.rules[0].paths[0]',
    message: 'path "/v1/**.json" uses "**" inside a segment',
  },
  {
    name: 'a query string in a path glob',
    manifest: ep(withRule({ ...rule, paths: ['/search?q=*'] })),
    field: 'spec.rules[0].paths[0]',
    message: 'must not contain a query ("?")',
  },
  {
    name: 'a dot-dot segment in a path glob',
    manifest: ep(withRule({ ...rule, paths: ['/reports/../admin'] })),
    field: 'spec.rules[0].paths[0]',
    message: 'contains a "." or ".." segment, which never matches',
  },
  {
    name: 'an AWS action without its service prefix',
    manifest: ep(withRule({ ...rule, actions: ['s3:GetObject', 'PutObject'] })),
    field: 'spec.rules[0].actions[1]',
    message: 'action "PutObject" is not an AWS action glob; write service:Action',
  },
  {
    name: 'an AWS action with an upper-case service prefix',
    manifest: ep(withRule({ ...rule, actions: ['S3:GetObject'] })),
    field: 'spec.rules[0].actions[0]',
    message: 'action "S3:GetObject" is not an AWS action glob',
  },
  {
    name: 'an empty action list',
    manifest: ep(withRule({ ...rule, actions: [] })),
    field: 'spec.rules[0].actions',
    message: 'omit actions to match every action',
  },
  {
    name: 'an ARN glob with a missing field',
    manifest: ep(withRule({ ...rule, resources: ['arn:aws:s3::reports/*'] })),
    field: 'spec.rules[0].resources[0]',
    message: 'resource "arn:aws:s3::reports/*" is not an ARN glob',
  },
  {
    name: 'a bucket name instead of an ARN',
    manifest: ep(withRule({ ...rule, resources: ['reports/*'] })),
    field: 'spec.rules[0].resources[0]',
    message: 'write arn:<partition>:<service>:<region>:<account>:<resource>',
  },
  {
    name: 'resources without actions',
    manifest: ep(withRule({ name: 'read', effect: 'Allow', source: 's3', resources: ['arn:aws:s3:::reports/*'] })),
    field: 'spec.rules[0].resources',
    message: 'resources only apply to AWS actions',
  },
];
