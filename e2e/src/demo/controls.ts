// The demo's agent controls: a kill switch on the pod, then a token budget that stops a looping agent.
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type OpenAI from 'openai';
import { denied, detail, heading, ok } from './print.js';
import { GROUP } from './world.js';

const SUSPEND = '/metadata/labels/portcullis.dev~1suspend';

const chat = (client: OpenAI): Promise<unknown> =>
  client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'next step' }], max_tokens: 100 }).then(() => undefined, (e: unknown) => e);

async function until(check: () => Promise<boolean>, what: string): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > 5000) throw new Error(`${what} did not happen within 5 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Math.round(performance.now() - started);
}

export async function killSwitch(kc: KubeConfig, namespace: string, client: OpenAI): Promise<void> {
  heading('Kill switch: label the running pod portcullis.dev/suspend=true');
  const core = kc.makeApiClient(CoreV1Api);
  const pod = await core.readNamespacedPod({ namespace, name: 'agent-0' });
  const patch = pod.metadata?.labels ? [{ op: 'add', path: SUSPEND, value: 'true' }] : [{ op: 'add', path: '/metadata/labels', value: { 'portcullis.dev/suspend': 'true' } }];
  let err: unknown;
  const ms = await core.patchNamespacedPod({ namespace, name: 'agent-0', body: patch }).then(() => until(async () => (err = await chat(client)) !== undefined, 'the suspension'));
  denied(`${ms} ms after the label: ${(err as Error).message}`);
  await core.patchNamespacedPod({ namespace, name: 'agent-0', body: [{ op: 'remove', path: SUSPEND }] });
  ok(`label removed: calls resume after ${await until(async () => (await chat(client)) === undefined, 'the resume')} ms (the pod stayed ready throughout)`);
}

export async function budgetStops(kc: KubeConfig, namespace: string, client: OpenAI): Promise<void> {
  heading('Budget: the agent may spend 200 output tokens per run; each call reserves its max_tokens (100) first');
  const custom = kc.makeApiClient(CustomObjectsApi);
  const limit = { name: 'run-budget', source: 'openai', scope: 'Pod', budget: { window: 'Run', outputTokens: 200 } };
  await custom.patchNamespacedCustomObject({ ...GROUP, namespace, plural: 'egresspolicies', name: 'agent', body: [{ op: 'add', path: '/spec/limits', value: [limit] }] });
  // The policy edit reaches the sidecar through its watch; a call that is counted shows it arrived.
  let calls = 0;
  for (;;) {
    const err = await chat(client);
    if (err) {
      denied(`call ${calls + 1} refused: ${(err as Error).message}`);
      break;
    }
    calls++;
    detail(`call ${calls}: allowed (the provider reported 40 output tokens; the 100 reserved were settled to 40)`);
    if (calls > 20) throw new Error('the budget never stopped the agent');
  }
  ok(`the looping agent was stopped by its budget after ${calls} calls, before its next call left the pod`);
  await custom.patchNamespacedCustomObject({ ...GROUP, namespace, plural: 'egresspolicies', name: 'agent', body: [{ op: 'remove', path: '/spec/limits' }] });
  await until(async () => (await chat(client)) === undefined, 'the budget removal');
  ok('budget removed from the policy: calls resume');
}
