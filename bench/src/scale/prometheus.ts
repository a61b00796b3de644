// The Prometheus text format as the kube-apiserver's /metrics writes it: one sample a line,
// `name{label="value",…} number`. Only what the scale bench needs: samples of one metric, summed over
// the samples whose labels match.

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1] as string] = (l[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  return samples;
}

/**
 * The sum of `name` over the samples whose labels include every pair of `match`; a value given as an
 * array matches any of its entries (the request verb is `POST` on some versions and `CREATE` on others).
 */
export function sumOf(samples: readonly Sample[], name: string, match: Readonly<Record<string, string | readonly string[]>> = {}): number {
  let sum = 0;
  for (const s of samples) {
    if (s.name !== name) continue;
    let ok = true;
    for (const [k, want] of Object.entries(match)) {
      const have = s.labels[k];
      if (have === undefined || (typeof want === 'string' ? have !== want : !want.includes(have))) {
        ok = false;
        break;
      }
    }
    if (ok) sum += s.value;
  }
  return sum;
}
