import type { RequestItem } from '../../policy/types.js';
import type { ClassifiedAction } from './types.js';

/** What policyItemsOf reads: the call's own action and resources, and the further permissions it implies. */
export interface ActionWithExtras extends ClassifiedAction {
  readonly extraActions?: readonly ClassifiedAction[] | undefined;
}

/**
 * One policy item per (action, resource): the call's own action and every permission it implies. The
 * sidecar decides on these items, and the CLI rebuilds them from an audit line's `aws` object (action,
 * resources, extraActions) so that `portcullis policy test` replays exactly what the sidecar decided on.
 */
export function policyItemsOf(c: ActionWithExtras): RequestItem[] {
  const items: RequestItem[] = [];
  for (const part of [c, ...(c.extraActions ?? [])]) {
    if (part.resources.length === 0) items.push({ action: part.action });
    for (const resource of part.resources) items.push({ action: part.action, resource });
  }
  return items;
}
