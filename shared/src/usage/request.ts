/** What a budget needs from an LLM request body: the model and the most output tokens it may produce. */
export interface RequestFacts {
  readonly model: string | undefined;
  readonly maxOutputTokens: number | undefined;
  readonly stream: boolean;
}

const MAX_KEYS = ['max_tokens', 'max_output_tokens', 'max_completion_tokens'] as const;
const NO_FACTS: RequestFacts = Object.freeze({ model: undefined, maxOutputTokens: undefined, stream: false });

/**
 * How often each key occurs at the top level of a JSON object text. JSON.parse keeps the last of
 * duplicate keys, while a provider's parser may keep the first: a duplicated key is ambiguous.
 */
function topLevelKeyCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      if (depth === 1 && expectKey) counts.set(text.slice(i + 1, end), (counts.get(text.slice(i + 1, end)) ?? 0) + 1);
      expectKey = false;
      i = end;
    } else if (c === '{' || c === '[') {
      depth++;
      expectKey = c === '{' && depth === 1;
    } else if (c === '}' || c === ']') {
      depth--;
    } else if (c === ',') {
      expectKey = depth === 1;
    }
  }
  return counts;
}

/** Index of the quote that closes the string opened at `start` (escapes skipped). */
function stringEnd(text: string, start: number): number {
  let j = start + 1;
  while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
  return j;
}

/**
 * Reads a JSON request body (OpenAI chat/completions and responses, Anthropic messages, Mistral). A
 * body that is not a JSON object gives no facts; the reservation then uses the configured ceiling. When
 * several max-token fields are set, the largest counts (a provider may honour any of them); a field or
 * model given twice counts as not given, since the provider may read the other copy.
 */
export function requestFacts(body: Buffer): RequestFacts {
  const text = body.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return NO_FACTS;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return NO_FACTS;
  const o = parsed as Record<string, unknown>;
  const counts = topLevelKeyCounts(text);
  const ambiguous = (key: string): boolean => (counts.get(key) ?? 0) > 1;
  let maxOutputTokens: number | undefined;
  for (const k of MAX_KEYS) {
    const v = o[k];
    if (v === undefined) continue;
    if (ambiguous(k) || typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      // A value the provider might read differently: reserve the configured ceiling instead.
      maxOutputTokens = undefined;
      break;
    }
    maxOutputTokens = Math.max(maxOutputTokens ?? 0, v);
  }
  const model = typeof o.model === 'string' && !ambiguous('model') ? o.model.slice(0, 256) : undefined;
  return { model, maxOutputTokens, stream: o.stream === true };
}
