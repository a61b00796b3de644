import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { UsageMeter } from './meter.js';
import { requestFacts } from './request.js';

// Wire samples in the shapes the providers document (OpenAI chat/completions and responses, Anthropic
// messages, Mistral), JSON and SSE.
const OPENAI_CHAT_JSON = JSON.stringify({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  model: 'gpt-4o-mini-2024-07-18',
  choices: [{ index: 0, message: { role: 'assistant', content: 'He said "usage": {"prompt_tokens": 999} } ]' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 19, completion_tokens: 10, total_tokens: 29, prompt_tokens_details: { cached_tokens: 0 } },
});

const OPENAI_CHAT_SSE = [
  'data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":""}}],"usage":null}',
  '',
  'data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"Hi"}}],"usage":null}',
  '',
  'data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19}}',
  '',
  'data: [DONE]',
  '',
  '',
].join('\n');

const OPENAI_RESPONSES_SSE = [
  'event: response.created',
  'data: {"type":"response.created","response":{"id":"resp_1","model":"gpt-4.1","output":[],"usage":null}}',
  '',
  'event: response.output_text.delta',
  'data: {"type":"response.output_text.delta","delta":"Hello"}',
  '',
  'event: response.completed',
  'data: {"type":"response.completed","response":{"id":"resp_1","model":"gpt-4.1","output":[{"type":"message","content":[{"type":"output_text","text":"Hello"}]}],"usage":{"input_tokens":36,"input_tokens_details":{"cached_tokens":0},"output_tokens":87,"total_tokens":123}}}',
  '',
  '',
].join('\r\n');

const ANTHROPIC_JSON = JSON.stringify({
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-20250514',
  content: [{ type: 'text', text: 'Hi' }],
  stop_reason: 'end_turn',
  usage: { input_tokens: 2095, cache_creation_input_tokens: 100, cache_read_input_tokens: 5, output_tokens: 503 },
});

const ANTHROPIC_SSE = [
  'event: message_start',
  'data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-20250514","stop_reason":null,"usage":{"input_tokens":25,"output_tokens":1}}}',
  '',
  'event: ping',
  'data: {"type": "ping"}',
  '',
  'event: content_block_delta',
  'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}',
  '',
  'event: message_delta',
  'data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}',
  '',
  'event: message_stop',
  'data: {"type":"message_stop"}',
  '',
  '',
].join('\n');

const MISTRAL_SSE = [
  'data: {"id":"m1","object":"chat.completion.chunk","model":"mistral-small-latest","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}',
  '',
  'data: {"id":"m1","object":"chat.completion.chunk","model":"mistral-small-latest","choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"total_tokens":15,"completion_tokens":5}}',
  '',
  'data: [DONE]',
  '',
  '',
].join('\n');

function meter(contentType: string, body: string, cuts: number[] = []): ReturnType<UsageMeter['result']> {
  const m = new UsageMeter(contentType);
  const bytes = Buffer.from(body);
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    m.write(bytes.subarray(from, cut));
    from = cut;
  }
  m.write(bytes.subarray(from));
  return m.result();
}

const CASES = [
  ['OpenAI chat/completions JSON', 'application/json', OPENAI_CHAT_JSON, { model: 'gpt-4o-mini-2024-07-18', inputTokens: 19, outputTokens: 10 }],
  ['OpenAI chat/completions SSE with the final usage chunk', 'text/event-stream; charset=utf-8', OPENAI_CHAT_SSE, { model: 'gpt-4o-mini', inputTokens: 12, outputTokens: 7 }],
  ['OpenAI responses SSE (response.completed, CRLF)', 'text/event-stream', OPENAI_RESPONSES_SSE, { model: 'gpt-4.1', inputTokens: 36, outputTokens: 87 }],
  ['Anthropic messages JSON (cache tokens count as input)', 'application/json', ANTHROPIC_JSON, { model: 'claude-sonnet-4-20250514', inputTokens: 2200, outputTokens: 503 }],
  ['Anthropic messages SSE (message_start then cumulative message_delta)', 'text/event-stream', ANTHROPIC_SSE, { model: 'claude-sonnet-4-20250514', inputTokens: 25, outputTokens: 15 }],
  ['Mistral chat SSE', 'text/event-stream', MISTRAL_SSE, { model: 'mistral-small-latest', inputTokens: 10, outputTokens: 5 }],
] as const;

describe('UsageMeter', () => {
  it.each(CASES)('reads %s', (_name, type, body, expected) => {
    expect(meter(type, body)).toEqual(expected);
  });

  it.each(CASES)('reads %s split at every byte boundary', (_name, type, body, expected) => {
    for (let cut = 1; cut < Buffer.byteLength(body); cut++) expect(meter(type, body, [cut])).toEqual(expected);
  });

  it('reads the same usage however the stream is cut into chunks (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CASES), fc.uniqueArray(fc.integer({ min: 1, max: 2000 }), { maxLength: 40 }), ([, type, body, expected], cuts) => {
        const len = Buffer.byteLength(body);
        expect(meter(type, body, cuts.filter((c) => c < len))).toEqual(expected);
      }),
      { numRuns: 300, seed: 20261207 },
    );
  });

  it('is not fooled by "usage" inside a string value', () => {
    expect(meter('application/json', JSON.stringify({ choices: [{ text: '"usage":{"prompt_tokens":5}' }] }))).toBeUndefined();
  });

  it('finds nothing in a response without usage (a stream without include_usage)', () => {
    expect(meter('text/event-stream', 'data: {"choices":[{"delta":{"content":"x"}}]}\n\ndata: [DONE]\n\n')).toBeUndefined();
  });

  it('meters nothing for other content types', () => {
    const m = new UsageMeter('text/plain');
    expect(m.metered).toBe(false);
    m.write(Buffer.from(OPENAI_CHAT_JSON));
    expect(m.result()).toBeUndefined();
  });

  it('keeps memory bounded: a 20 MB response with a huge string value is scanned, not held', () => {
    const m = new UsageMeter('application/json');
    m.write(Buffer.from('{"model":"gpt-4o","choices":[{"text":"'));
    const chunk = Buffer.alloc(1 << 20, 0x61);
    for (let i = 0; i < 20; i++) m.write(chunk);
    m.write(Buffer.from('"}],"usage":{"prompt_tokens":1,"completion_tokens":2}}'));
    expect(m.result()).toEqual({ model: 'gpt-4o', inputTokens: 1, outputTokens: 2 });
  });

  it('ignores a "usage" object too large to be a provider usage report', () => {
    const big = JSON.stringify({ usage: { prompt_tokens: 1, pad: 'x'.repeat(40_000) } });
    expect(meter('application/json', big)).toBeUndefined();
  });

  it('survives malformed input and random bytes without throwing (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.constantFrom('application/json', 'text/event-stream'), (bytes, type) => {
        const m = new UsageMeter(type);
        m.write(Buffer.from(bytes));
        m.result();
      }),
      { numRuns: 300, seed: 20261207 },
    );
  });
});

describe('requestFacts', () => {
  it('reads model and the max-token field of each API, and stream', () => {
    expect(requestFacts(Buffer.from('{"model":"gpt-4o","max_tokens":50,"stream":true}'))).toEqual({ model: 'gpt-4o', maxOutputTokens: 50, stream: true });
    expect(requestFacts(Buffer.from('{"model":"gpt-4.1","max_output_tokens":70}'))).toMatchObject({ maxOutputTokens: 70 });
    expect(requestFacts(Buffer.from('{"model":"o3","max_completion_tokens":90}'))).toMatchObject({ maxOutputTokens: 90 });
  });

  it('gives no facts for a body that is not a JSON object', () => {
    expect(requestFacts(Buffer.from('[1,2]'))).toEqual({ model: undefined, maxOutputTokens: undefined, stream: false });
    expect(requestFacts(Buffer.from('not json'))).toEqual({ model: undefined, maxOutputTokens: undefined, stream: false });
  });

  it('reserves for the largest of several max-token fields, since the provider may honour any', () => {
    expect(requestFacts(Buffer.from('{"max_tokens":1,"max_completion_tokens":5000}')).maxOutputTokens).toBe(5000);
  });

  it('a max_tokens or model given twice counts as not given (a provider may read the other copy)', () => {
    expect(requestFacts(Buffer.from('{"model":"gpt-4o-mini","max_tokens":100000,"max_tokens":1}'))).toMatchObject({ model: 'gpt-4o-mini', maxOutputTokens: undefined });
    expect(requestFacts(Buffer.from('{"model":"o3","model":"gpt-4o-mini","max_tokens":5}'))).toMatchObject({ model: undefined, maxOutputTokens: 5 });
  });

  it('nested or quoted keys named like the fields are not duplicates', () => {
    const body = '{"model":"gpt-4o","max_tokens":7,"messages":[{"role":"user","content":"say \\"max_tokens\\": 1, \\"model\\""}],"tools":[{"parameters":{"model":{"type":"string"}}}]}';
    expect(requestFacts(Buffer.from(body))).toMatchObject({ model: 'gpt-4o', maxOutputTokens: 7 });
  });

  it('ignores a negative or fractional max_tokens (the reservation then uses the ceiling)', () => {
    expect(requestFacts(Buffer.from('{"max_tokens":-5}')).maxOutputTokens).toBeUndefined();
    expect(requestFacts(Buffer.from('{"max_tokens":1.5}')).maxOutputTokens).toBeUndefined();
  });
});
