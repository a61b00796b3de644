import { Document, isMap, isSeq } from 'yaml';
import { API_VERSION } from '@portcullis/shared';
import type { SuggestedPolicy, SuggestedRule, Suggestion } from './types.js';

/** The EgressPolicy object of a suggestion, as `kubectl apply` takes it. */
export function policyObject(p: SuggestedPolicy): Record<string, unknown> {
  return {
    apiVersion: API_VERSION,
    kind: 'EgressPolicy',
    metadata: { name: p.name, namespace: p.namespace },
    spec: {
      mode: p.mode,
      workloads: { serviceAccounts: [p.serviceAccount] },
      rules: p.rules.map(ruleObject),
    },
  };
}

function ruleObject(r: SuggestedRule): Record<string, unknown> {
  return {
    name: r.name,
    effect: 'Allow',
    source: r.source,
    ...(r.methods ? { methods: [...r.methods] } : {}),
    ...(r.paths ? { paths: [...r.paths] } : {}),
    ...(r.actions ? { actions: [...r.actions] } : {}),
    ...(r.resources ? { resources: [...r.resources] } : {}),
  };
}

function ruleComment(r: SuggestedRule): string {
  const calls = `${r.calls} call${r.calls === 1 ? '' : 's'}, last seen ${r.lastSeen}`;
  return [calls, ...r.notes].map((t) => ` ${t}`).join('\n');
}

/** One YAML document per policy, with a comment on each rule: how many calls it covers and when they were last seen. */
export function renderSuggestion(s: Suggestion): string {
  return s.policies
    .map((p) => {
      const doc = new Document(policyObject(p));
      doc.commentBefore = [
        ` Suggested by \`portcullis policy suggest\` from ${p.calls} audit line${p.calls === 1 ? '' : 's'} of ${p.namespace}/${p.serviceAccount}`,
        ` seen ${p.firstSeen} .. ${p.lastSeen}. Check it with \`portcullis policy test\` before applying.`,
      ].join('\n');
      const rules = doc.getIn(['spec', 'rules'], true);
      if (isSeq(rules)) {
        rules.items.forEach((node, i) => {
          const rule = p.rules[i];
          if (rule && isMap(node)) node.commentBefore = ruleComment(rule);
        });
      }
      return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
    })
    .join('---\n');
}
