/**
 * Reads the final stage of a Dockerfile: the instructions that decide what the image is (its base, the
 * files copied in, user, environment, working directory, ports, entry point). The e2e node builds its
 * images from these without a container engine (images/build.ts); the earlier stages' work (compile,
 * npm ci) is what `make build` and the builder do on the host with the same commands.
 */
export type Instruction =
  | { readonly kind: 'COPY'; readonly from: string | undefined; readonly sources: readonly string[]; readonly dest: string }
  | { readonly kind: 'USER'; readonly user: string }
  | { readonly kind: 'ENV'; readonly name: string; readonly value: string }
  | { readonly kind: 'WORKDIR'; readonly dir: string }
  | { readonly kind: 'EXPOSE'; readonly ports: readonly string[] }
  | { readonly kind: 'ENTRYPOINT'; readonly argv: readonly string[] }
  | { readonly kind: 'CMD'; readonly argv: readonly string[] }
  | { readonly kind: 'RUN'; readonly command: string };

export interface FinalStage {
  /** The base image reference after ARG substitution, e.g. "node:24-alpine" or "scratch". */
  readonly base: string;
  /** The ARG whose value named the base ("NODE_IMAGE"), when the FROM line was `FROM ${NAME}`. */
  readonly baseArg: string | undefined;
  readonly instructions: readonly Instruction[];
}

/** Joins continuation lines and drops comments and blank lines. */
function logicalLines(text: string): string[] {
  const lines: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (current === '' && /^\s*#/.test(line)) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim() !== '') lines.push(current.trim());
    current = '';
  }
  if (current.trim() !== '') lines.push(current.trim());
  return lines;
}

function jsonArgv(rest: string, line: string): string[] {
  const parsed: unknown = JSON.parse(rest);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) {
    throw new Error(`Dockerfile: expected a JSON array of strings in "${line}"`);
  }
  return parsed;
}

function parseCopy(rest: string, line: string): Instruction {
  const words = rest.split(/\s+/);
  let from: string | undefined;
  while (words[0]?.startsWith('--')) {
    const flag = words.shift() ?? '';
    if (!flag.startsWith('--from=')) throw new Error(`Dockerfile: unsupported COPY flag ${flag} in "${line}"`);
    from = flag.slice('--from='.length);
  }
  const dest = words.pop();
  if (dest === undefined || words.length === 0) throw new Error(`Dockerfile: COPY needs a source and a destination: "${line}"`);
  return { kind: 'COPY', from, sources: words, dest };
}

function parseEnv(rest: string, line: string): Instruction {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)[= ](.*)$/.exec(rest);
  if (!m) throw new Error(`Dockerfile: cannot read "${line}"`);
  return { kind: 'ENV', name: m[1] ?? '', value: m[2] ?? '' };
}

function parseInstruction(keyword: string, rest: string, line: string): Instruction {
  switch (keyword) {
    case 'COPY':
      return parseCopy(rest, line);
    case 'USER':
      return { kind: 'USER', user: rest };
    case 'ENV':
      return parseEnv(rest, line);
    case 'WORKDIR':
      return { kind: 'WORKDIR', dir: rest };
    case 'EXPOSE':
      return { kind: 'EXPOSE', ports: rest.split(/\s+/) };
    case 'ENTRYPOINT':
      return { kind: 'ENTRYPOINT', argv: jsonArgv(rest, line) };
    case 'CMD':
      return { kind: 'CMD', argv: jsonArgv(rest, line) };
    case 'RUN':
      return { kind: 'RUN', command: rest };
    default:
      throw new Error(`Dockerfile: unsupported instruction ${keyword} in the final stage: "${line}"`);
  }
}

function splitLine(line: string): { keyword: string; rest: string } {
  const space = line.search(/\s/);
  return { keyword: (space < 0 ? line : line.slice(0, space)).toUpperCase(), rest: space < 0 ? '' : line.slice(space + 1).trim() };
}

function fromLine(rest: string, args: Readonly<Record<string, string>>, defaults: Readonly<Record<string, string>>): { base: string; baseArg: string | undefined } {
  const image = rest.split(/\s+/)[0] ?? '';
  const arg = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(image)?.[1];
  const base = arg === undefined ? image : (args[arg] ?? defaults[arg]);
  if (base === undefined) throw new Error(`Dockerfile: FROM names \${${arg}}, which no ARG defines`);
  return { base, baseArg: arg };
}

/** Parses `text` and returns its last stage, with `${ARG}` in FROM resolved from ARG defaults and `args`. */
export function finalStage(text: string, args: Readonly<Record<string, string>> = {}): FinalStage {
  const defaults: Record<string, string> = {};
  let stage: { base: string; baseArg: string | undefined; instructions: Instruction[] } | undefined;
  for (const line of logicalLines(text)) {
    const { keyword, rest } = splitLine(line);
    if (keyword === 'ARG') {
      const [name, value] = rest.split('=', 2);
      if (stage === undefined && name !== undefined) defaults[name] = value ?? '';
    } else if (keyword === 'FROM') {
      stage = { ...fromLine(rest, args, defaults), instructions: [] };
    } else if (stage === undefined) {
      throw new Error(`Dockerfile: "${line}" comes before any FROM`);
    } else {
      stage.instructions.push(parseInstruction(keyword, rest, line));
    }
  }
  if (stage === undefined) throw new Error('Dockerfile: no FROM');
  return stage;
}
