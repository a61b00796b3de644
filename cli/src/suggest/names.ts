const MAX_NAME = 63;

/** A DNS-1123 label from free text (`POST /v1/chat/completions` → `post-v1-chat-completions`), at most 63 characters. */
export function labelOf(text: string, fallback: string): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_NAME)
    .replace(/-+$/, '');
  return slug === '' ? fallback : slug;
}

/** Hands out unique rule names within one policy: the second `x` becomes `x-2` (still at most 63 characters). */
export class UniqueNames {
  private readonly used = new Set<string>();

  take(wanted: string): string {
    let name = wanted;
    for (let n = 2; this.used.has(name); n++) {
      const suffix = `-${n}`;
      name = `${wanted.slice(0, MAX_NAME - suffix.length).replace(/-+$/, '')}${suffix}`;
    }
    this.used.add(name);
    return name;
  }
}
