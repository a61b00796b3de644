import { parseAuditLine, type AuditLine } from './line.js';

/** One input: a name for messages (`file`, `-` for stdin, `pod ns/name`) and its lines. */
export interface LineInput {
  readonly name: string;
  readonly lines: AsyncIterable<string> | Iterable<string>;
}

export interface Collected {
  readonly lines: readonly AuditLine[];
  /** Operational log lines (stderr of the proxy mixed into `kubectl logs`), counted and reported. */
  readonly logLines: number;
}

/** Reads every input in order; the first line that is neither an audit line nor a log line stops it with its origin. */
export async function collectAuditLines(inputs: readonly LineInput[]): Promise<Collected> {
  const lines: AuditLine[] = [];
  let logLines = 0;
  for (const input of inputs) {
    let n = 0;
    for await (const text of input.lines) {
      n++;
      const parsed = parseAuditLine(text, `${input.name}:${n}`);
      if (parsed.kind === 'audit') lines.push(parsed.line);
      else if (parsed.kind === 'log') logLines++;
    }
  }
  return { lines, logLines };
}
