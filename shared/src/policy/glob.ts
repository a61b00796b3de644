/** A compiled glob: `test` is all the hot path calls. */
export interface Glob {
  readonly source: string;
  test(value: string): boolean;
}

const escape = (c: string): string => c.replace(/[\\^$.|?*+()[\]{}/-]/g, '\\$&');

function compile(source: string, body: string, flags: string, wildcard: boolean): Glob {
  if (!wildcard) {
    // No wildcard: a string comparison is cheaper than a RegExp.
    const fold = flags.includes('i');
    const literal = fold ? source.toLowerCase() : source;
    return { source, test: (v) => (fold ? v.toLowerCase() : v) === literal };
  }
  const re = new RegExp(`^${body}$`, flags);
  return { source, test: (v) => re.test(v) };
}

/**
 * Path glob, matched against the normalized path: `*` matches within one segment (no `/`), `**` matches
 * across segments (any characters). `/v1/chat/*` matches `/v1/chat/completions`, not `/v1/chat/a/b`.
 */
export function pathGlob(pattern: string): Glob {
  let body = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*' && pattern[i + 1] === '*') {
      body += '.*';
      i++;
    } else if (c === '*') {
      body += '[^/]*';
    } else {
      body += escape(c);
    }
  }
  return compile(pattern, body, '', pattern.includes('*'));
}

/**
 * IAM-style glob for AWS actions and ARNs: `*` matches any run of characters (including `/` and `:`),
 * `?` exactly one. Actions compare case-insensitively, as IAM does; ARNs case-sensitively.
 */
export function iamGlob(pattern: string, caseInsensitive: boolean): Glob {
  let body = '';
  for (const c of pattern) {
    if (c === '*') body += '.*';
    else if (c === '?') body += '.';
    else body += escape(c);
  }
  return compile(pattern, body, caseInsensitive ? 'is' : 's', /[*?]/.test(pattern));
}
