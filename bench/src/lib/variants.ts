// Builds of the sidecar to compare side by side: `[name=]executable[@ENV=value,ENV=value]` on the command line.
export interface Variant {
  readonly name: string;
  readonly main: string;
  readonly env: Readonly<Record<string, string>>;
}

/** `name=path@A=1,B=2` → a variant; the name defaults to the path, the env to none. */
export function parseVariant(text: string): Variant {
  const at = text.indexOf('@');
  const head = at < 0 ? text : text.slice(0, at);
  const eq = head.indexOf('=');
  const name = eq < 0 ? head : head.slice(0, eq);
  const main = eq < 0 ? head : head.slice(eq + 1);
  const env: Record<string, string> = {};
  if (at >= 0) {
    for (const pair of text.slice(at + 1).split(',')) {
      const i = pair.indexOf('=');
      if (i <= 0) throw new Error(`variant ${text}: environment entries are NAME=value, got ${pair}`);
      env[pair.slice(0, i)] = pair.slice(i + 1);
    }
  }
  return { name, main, env };
}
