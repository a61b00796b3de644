/** What a budget needs from an LLM request body: the model and the most output tokens it may produce. */
export interface RequestFacts {
  readonly model: string | undefined;
  readonly maxOutputTokens: number | undefined;
  readonly stream: boolean;
}

const MAX_KEYS = ['max_tokens', 'max_output_tokens', 'max_completion_tokens'] as const;

/**
 * Reads a JSON request body (OpenAI chat/completions and responses, Anthropic messages, Mistral).
 * A body that is not a JSON object gives no facts; the reservation then uses the configured ceiling.
 */
export function requestFacts(body: Buffer): RequestFacts {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { model: undefined, maxOutputTokens: undefined, stream: false };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { model: undefined, maxOutputTokens: undefined, stream: false };
  const o = parsed as Record<string, unknown>;
  let maxOutputTokens: number | undefined;
  for (const k of MAX_KEYS) {
    const v = o[k];
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) {
      maxOutputTokens = v;
      break;
    }
  }
  return { model: typeof o.model === 'string' ? o.model.slice(0, 256) : undefined, maxOutputTokens, stream: o.stream === true };
}
