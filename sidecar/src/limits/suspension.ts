/** The label or annotation that suspends a pod (the kill switch), and the value that means "on". */
export const SUSPEND_KEY = 'portcullis.dev/suspend';

interface PodMeta {
  readonly metadata?: { readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> };
}

/**
 * Why a pod is suspended, from its own object: `portcullis.dev/suspend: "true"` as a label or an
 * annotation (any other value, or none, is not a suspension). Undefined: not suspended.
 */
export function podSuspension(pod: PodMeta | undefined): string | undefined {
  const label = pod?.metadata?.labels?.[SUSPEND_KEY];
  if (label === 'true') return `the pod has the label ${SUSPEND_KEY}=true`;
  const annotation = pod?.metadata?.annotations?.[SUSPEND_KEY];
  if (annotation === 'true') return `the pod has the annotation ${SUSPEND_KEY}: "true"`;
  return undefined;
}
