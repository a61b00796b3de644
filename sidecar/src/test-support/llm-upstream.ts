// The business logic of OpenAI's chat/completions and responses APIs and Anthropic's messages API, on the
// wire as the providers document it (JSON bodies, and SSE with the usage in the final chunk /
// response.completed / message_start + message_delta). Used behind startUpstream, which checks the
// injected key. The usage each answer reports is set by the test.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { json, type Route } from './upstream.js';

export interface LlmScript {
  /** Prompt tokens each answer reports. */
  inputTokens: number;
  /** Completion tokens each answer reports (capped at the request's max tokens, as providers do). */
  outputTokens: number;
  /** Delay between SSE chunks, ms. */
  chunkDelayMs: number;
  /** Number of text deltas a stream sends. */
  deltas: number;
  /** When set, streams wait for this promise before their final (usage) chunk. */
  holdFinal: Promise<void> | undefined;
  /** The assistant's text in JSON answers. */
  reply: string;
  /** Calls answered so far, and the most in progress at once. */
  answered: number;
  inProgress: number;
  maxInProgress: number;
}

export function llmScript(overrides: Partial<LlmScript> = {}): LlmScript {
  return { inputTokens: 12, outputTokens: 20, chunkDelayMs: 0, deltas: 3, holdFinal: undefined, reply: 'hello', answered: 0, inProgress: 0, maxInProgress: 0, ...overrides };
}

const modelOf = (body: Record<string, unknown>, fallback: string): string => (typeof body.model === 'string' ? body.model : fallback);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>);
      } catch {
        resolve({});
      }
    });
  });
}

function maxOf(body: Record<string, unknown>): number | undefined {
  for (const k of ['max_tokens', 'max_output_tokens', 'max_completion_tokens']) if (typeof body[k] === 'number') return body[k];
  return undefined;
}

async function sse(res: ServerResponse, s: LlmScript, events: (string | (() => Promise<void>))[]): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  for (const e of events) {
    if (typeof e === 'function') await e();
    else res.write(e);
    if (s.chunkDelayMs > 0) await sleep(s.chunkDelayMs);
  }
  res.end();
}

const data = (o: unknown): string => `data: ${JSON.stringify(o)}\n\n`;
const event = (name: string, o: unknown): string => `event: ${name}\n${data(o)}`;

async function chat(res: ServerResponse, s: LlmScript, body: Record<string, unknown>, out: number): Promise<void> {
  const model = modelOf(body, 'gpt-4o-mini');
  const usage = { prompt_tokens: s.inputTokens, completion_tokens: out, total_tokens: s.inputTokens + out };
  if (body.stream !== true) {
    json(res, 200, { id: 'chatcmpl-1', object: 'chat.completion', created: 1, model, choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: s.reply } }], usage });
    return;
  }
  const include = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
  const chunk = (delta: unknown, extra: Record<string, unknown> = {}): string => data({ id: 'c1', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: null }], ...(include ? { usage: null } : {}), ...extra });
  const events: (string | (() => Promise<void>))[] = [chunk({ role: 'assistant', content: '' })];
  for (let i = 0; i < s.deltas; i++) events.push(chunk({ content: `tok${i} ` }));
  if (s.holdFinal) {
    const hold = s.holdFinal;
    events.push(() => hold);
  }
  if (include) events.push(data({ id: 'c1', object: 'chat.completion.chunk', created: 1, model, choices: [], usage }));
  events.push('data: [DONE]\n\n');
  await sse(res, s, events);
}

async function responses(res: ServerResponse, s: LlmScript, body: Record<string, unknown>, out: number): Promise<void> {
  const model = modelOf(body, 'gpt-4.1');
  const response = (status: string, usage: unknown): Record<string, unknown> => ({
    id: 'resp_1', object: 'response', created_at: 1, status, model,
    output: status === 'completed' ? [{ type: 'message', id: 'msg_1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'hello', annotations: [] }] }] : [],
    usage,
  });
  const usage = { input_tokens: s.inputTokens, input_tokens_details: { cached_tokens: 0 }, output_tokens: out, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: s.inputTokens + out };
  if (body.stream !== true) {
    json(res, 200, response('completed', usage));
    return;
  }
  const events: (string | (() => Promise<void>))[] = [event('response.created', { type: 'response.created', sequence_number: 0, response: response('in_progress', null) })];
  for (let i = 0; i < s.deltas; i++) events.push(event('response.output_text.delta', { type: 'response.output_text.delta', sequence_number: i + 1, item_id: 'msg_1', output_index: 0, content_index: 0, delta: `tok${i} ` }));
  if (s.holdFinal) {
    const hold = s.holdFinal;
    events.push(() => hold);
  }
  events.push(event('response.completed', { type: 'response.completed', sequence_number: s.deltas + 1, response: response('completed', usage) }));
  await sse(res, s, events);
}

async function messages(res: ServerResponse, s: LlmScript, body: Record<string, unknown>, out: number): Promise<void> {
  const model = modelOf(body, 'claude-sonnet-4-20250514');
  if (body.stream !== true) {
    json(res, 200, { id: 'msg_1', type: 'message', role: 'assistant', model, content: [{ type: 'text', text: 'hello' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: s.inputTokens, output_tokens: out } });
    return;
  }
  const events: (string | (() => Promise<void>))[] = [
    event('message_start', { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: s.inputTokens, output_tokens: 1 } } }),
    event('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    event('ping', { type: 'ping' }),
  ];
  for (let i = 0; i < s.deltas; i++) events.push(event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `tok${i} ` } }));
  events.push(event('content_block_stop', { type: 'content_block_stop', index: 0 }));
  if (s.holdFinal) {
    const hold = s.holdFinal;
    events.push(() => hold);
  }
  events.push(event('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: out } }));
  events.push(event('message_stop', { type: 'message_stop' }));
  await sse(res, s, events);
}

/** The route: /v1/chat/completions, /v1/responses and /v1/messages; anything else is 404 in OpenAI's shape. */
export function llmRoute(s: LlmScript): Route {
  return (req, res) => {
    void (async () => {
      const body = await readJson(req);
      s.inProgress++;
      s.maxInProgress = Math.max(s.maxInProgress, s.inProgress);
      try {
        const max = maxOf(body);
        const out = max === undefined ? s.outputTokens : Math.min(max, s.outputTokens);
        const path = (req.url ?? '').split('?')[0];
        if (path === '/v1/chat/completions') await chat(res, s, body, out);
        else if (path === '/v1/responses') await responses(res, s, body, out);
        else if (path === '/v1/messages') await messages(res, s, body, out);
        else json(res, 404, { error: { message: `no route ${path ?? ''}`, type: 'invalid_request_error' } });
        s.answered++;
      } finally {
        s.inProgress--;
      }
    })();
  };
}
