import type { ReportedUsage } from '../limits/admit.js';
import { JsonUsageScanner, type ScanSink } from './json-scan.js';
import { SseDataSplitter } from './sse.js';

function count(u: Record<string, unknown>, key: string): number | undefined {
  const v = u[key];
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/**
 * Input and output tokens from one provider usage object: OpenAI chat/completions and Mistral
 * (prompt_tokens, completion_tokens), OpenAI responses (input_tokens, output_tokens), Anthropic
 * (input_tokens, output_tokens, plus cache_creation_input_tokens and cache_read_input_tokens, which
 * Anthropic counts apart from input_tokens).
 */
export function tokensOf(u: Record<string, unknown>): { input: number | undefined; output: number | undefined } {
  const prompt = count(u, 'prompt_tokens');
  let input = prompt ?? count(u, 'input_tokens');
  if (prompt === undefined && input !== undefined) input += (count(u, 'cache_creation_input_tokens') ?? 0) + (count(u, 'cache_read_input_tokens') ?? 0);
  const output = count(u, 'completion_tokens') ?? count(u, 'output_tokens');
  return { input, output };
}

/**
 * Meters one response as it streams: JSON bodies and server-sent events (every event's data scanned
 * for usage). Usage objects seen more than once (Anthropic's message_start then message_delta, which
 * are cumulative) merge by taking the larger count of each. Unknown content types meter nothing.
 */
export class UsageMeter {
  private input: number | undefined;
  private output: number | undefined;
  private modelName: string | undefined;
  private readonly target: { write(chunk: Buffer): void } | undefined;

  constructor(contentType: string | undefined) {
    const sink: ScanSink = {
      usage: (u) => {
        const t = tokensOf(u);
        if (t.input !== undefined) this.input = Math.max(this.input ?? 0, t.input);
        if (t.output !== undefined) this.output = Math.max(this.output ?? 0, t.output);
      },
      model: (m) => {
        this.modelName ??= m;
      },
    };
    const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (type === 'text/event-stream') this.target = new SseDataSplitter(() => new JsonUsageScanner(sink));
    else if (type === 'application/json' || type.endsWith('+json')) this.target = new JsonUsageScanner(sink);
    else this.target = undefined;
  }

  /** Whether this response can report usage at all. */
  get metered(): boolean {
    return this.target !== undefined;
  }

  write(chunk: Buffer): void {
    this.target?.write(chunk);
  }

  /** The usage reported so far, or undefined when none was. */
  result(): ReportedUsage | undefined {
    if (this.input === undefined && this.output === undefined) return undefined;
    return { model: this.modelName, inputTokens: this.input ?? 0, outputTokens: this.output ?? 0 };
  }
}
