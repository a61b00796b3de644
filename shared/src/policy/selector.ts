import type { LabelSelector, LabelSelectorRequirement } from '../crd/index.js';

export type Labels = Readonly<Record<string, string>>;

function meets(req: LabelSelectorRequirement, labels: Labels): boolean {
  const has = Object.hasOwn(labels, req.key);
  const inValues = has && (req.values ?? []).includes(labels[req.key] as string);
  switch (req.operator) {
    case 'In':
      return inValues;
    case 'NotIn':
      return !inValues;
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

/** Kubernetes label-selector semantics: `{}` selects everything; all terms must hold. */
export function matchesSelector(selector: LabelSelector, labels: Labels): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  return (selector.matchExpressions ?? []).every((req) => meets(req, labels));
}
