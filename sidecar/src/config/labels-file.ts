/** Parses a downward-API labels file: one `key="value"` per line, value JSON-style quoted. */
export function parseDownwardLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    const raw = line.slice(eq + 1).trim();
    try {
      labels[key] = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
    } catch {
      labels[key] = raw.replace(/^"|"$/g, '');
    }
  }
  return labels;
}
