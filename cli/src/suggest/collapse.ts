/**
 * `--collapse-after N`: a path position where at least N distinct literal segments appear among paths that
 * are otherwise the same becomes `*` (`/v1/models/a`, `/v1/models/b`, `/v1/models/c` → `/v1/models/*`).
 * Repeats until nothing changes. N of 0 turns it off.
 */
export function collapsePaths(paths: readonly string[], after: number): Map<string, string> {
  const current = new Map(paths.map((p) => [p, p]));
  if (after < 2) return current;
  for (let changed = true; changed; ) {
    changed = false;
    const patterns = [...new Set(current.values())].map((p) => p.split('/'));
    const groups = new Map<string, Set<string>>();
    for (const segs of patterns) {
      for (let i = 1; i < segs.length; i++) {
        if (segs[i] === '*') continue;
        const key = `${segs.length}|${i}|${segs.map((s, j) => (j === i ? '' : s)).join('/')}`;
        let set = groups.get(key);
        if (!set) groups.set(key, (set = new Set()));
        set.add(segs[i] as string);
      }
    }
    for (const [original, pattern] of current) {
      const segs = pattern.split('/');
      for (let i = 1; i < segs.length; i++) {
        if (segs[i] === '*') continue;
        const key = `${segs.length}|${i}|${segs.map((s, j) => (j === i ? '' : s)).join('/')}`;
        if ((groups.get(key)?.size ?? 0) >= after) {
          segs[i] = '*';
          changed = true;
        }
      }
      current.set(original, segs.join('/'));
    }
  }
  return current;
}
