import { Command, CommanderError, Option } from 'commander';
import { createResourceValidator, isPortcullisError, SIDECAR_CONTAINER_NAME, type EgressPolicy, type Valid } from '@portcullis/shared';
import { explain } from './explain/explain.js';
import { renderExplanation } from './explain/render.js';
import { inputSummary, readInput, type InputFlags } from './input.js';
import type { CliIo } from './io.js';
import { toOcsfApiActivity } from './ocsf/api-activity.js';
import { collect, intIn, oneOf } from './options.js';
import { loadPolicies } from './replay/load-policies.js';
import { renderReplay } from './replay/render.js';
import { replay } from './replay/replay.js';
import { renderSuggestion } from './suggest/render.js';
import { suggestPolicies } from './suggest/suggest.js';
import { DEFAULT_SUGGEST_OPTIONS } from './suggest/types.js';

/** Exit statuses: 0 fine, 1 `policy test` found calls that would be denied, 2 bad input or usage. */
export const EXIT = { ok: 0, failing: 1, error: 2 } as const;

function inputOptions(cmd: Command): Command {
  return cmd
    .option('-l, --selector <selector>', 'read the proxy logs of the pods matching this label selector, through the API server')
    .option('--pod <name>', 'read the proxy log of this pod (repeatable)', collect)
    .option('-n, --namespace <namespace>', 'namespace of the pods (and of candidate policies without one)', 'default')
    .option('-c, --container <name>', 'container whose log holds the audit lines', SIDECAR_CONTAINER_NAME)
    .option('--since-seconds <n>', 'only log lines newer than this many seconds', intIn(1, 366 * 86_400))
    .option('--context <name>', 'kubeconfig context');
}

async function policies(io: CliIo, files: readonly string[], namespace: string): Promise<Valid<EgressPolicy>[]> {
  const texts = await Promise.all(files.map(async (name) => ({ name, text: await io.readFile(name) })));
  return loadPolicies(texts, createResourceValidator(), namespace);
}

function ignoredSummary(ignored: ReadonlyMap<string, number>, what: string): string {
  return [...ignored].map(([reason, n]) => `${what}: ${n} line${n === 1 ? '' : 's'}: ${reason}\n`).join('');
}

/**
 * The `portcullis` program (also `kubectl portcullis`), built on commander. Returns the exit status; every
 * failure with a code is printed as `error CODE: message`.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let status: number = EXIT.ok;
  const program = new Command('portcullis')
    .description('From Audit to Enforce: suggest EgressPolicies from audit lines, test candidates against them, explain one decision')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError();

  const policy = program.command('policy').description('suggest and test EgressPolicies from recorded audit lines');

  inputOptions(
    policy
      .command('suggest')
      .description('write the smallest EgressPolicy YAML (one per workload) that allows the calls in the audit lines')
      .argument('[files...]', 'audit line files ("-" or none: stdin)'),
  )
    .option('--keep-ids', 'tighter: keep id-like path segments (uuids, numbers, thread_abc…) instead of "*"')
    .option('--collapse-after <n>', 'looser: a path position with at least n distinct values becomes "*" (0: off)', intIn(0, 1000), DEFAULT_SUGGEST_OPTIONS.collapseAfter)
    .option('--s3-prefix-depth <n>', 'S3 object keys grouped by this many leading segments (0: the whole bucket)', intIn(0, 32), DEFAULT_SUGGEST_OPTIONS.s3PrefixDepth)
    .option('--any-resource', 'loosest: AWS rules list the actions seen, for any resource')
    .option('--include-denied', 'also allow calls an Enforce policy denied')
    .addOption(new Option('--mode <mode>', 'mode of the suggested policies').choices(['Enforce', 'Audit']).default('Enforce'))
    .action(async (files: string[], o: InputFlags & { keepIds?: true; collapseAfter: number; s3PrefixDepth: number; anyResource?: true; includeDenied?: true; mode: 'Enforce' | 'Audit' }) => {
      const input = await readInput(io, files, o);
      io.stderr(inputSummary(input));
      const s = suggestPolicies(input.lines, {
        keepIds: o.keepIds === true,
        collapseAfter: o.collapseAfter,
        s3PrefixDepth: o.s3PrefixDepth,
        anyResource: o.anyResource === true,
        includeDenied: o.includeDenied === true,
        mode: o.mode,
      });
      io.stderr(ignoredSummary(s.ignored, 'not used'));
      if (s.policies.length === 0) io.stderr('no call to allow: nothing suggested\n');
      io.stdout(renderSuggestion(s));
    });

  inputOptions(
    policy
      .command('test')
      .description('replay audit lines against candidate policies with the sidecar\'s engine; exit 1 if a call that succeeded would be denied')
      .argument('[files...]', 'audit line files ("-" or none: stdin)'),
  )
    .requiredOption('-p, --policy <file>', 'candidate EgressPolicy YAML (repeatable; validated against the CRD)', collect)
    .option('--format <format>', 'text or json', oneOf(['text', 'json'] as const), 'text')
    .option('--max-calls <n>', 'distinct calls listed per workload and kind', intIn(1, 100_000), 20)
    .action(async (files: string[], o: InputFlags & { policy: string[]; format: 'text' | 'json'; maxCalls: number }) => {
      const candidates = await policies(io, o.policy, o.namespace ?? 'default');
      const input = await readInput(io, files, o);
      io.stderr(inputSummary(input));
      const report = replay(input.lines, candidates, input.labels);
      if (o.format === 'json') io.stdout(`${JSON.stringify(replayJson(report), null, 2)}\n`);
      else io.stdout(renderReplay(report, o.maxCalls));
      if (report.failing) status = EXIT.failing;
    });

  inputOptions(
    program
      .command('explain')
      .description('find the audit line of a request and say which policy and rule decided, and why')
      .argument('<requestId>', 'the requestId of the audit line (also in the denial the app received)')
      .argument('[files...]', 'audit line files ("-" or none: stdin)'),
  )
    .option('-p, --policy <file>', 'also decide it again with these candidate policies, rule by rule (repeatable)', collect)
    .option('--format <format>', 'text, json (the audit line) or ocsf (OCSF API Activity)', oneOf(['text', 'json', 'ocsf'] as const), 'text')
    .action(async (requestId: string, files: string[], o: InputFlags & { policy?: string[]; format: 'text' | 'json' | 'ocsf' }) => {
      const candidates = o.policy ? await policies(io, o.policy, o.namespace ?? 'default') : undefined;
      const input = await readInput(io, files, o);
      const e = explain(input.lines, requestId, candidates, input.labels);
      if (o.format === 'json') io.stdout(`${JSON.stringify(e.line.raw)}\n`);
      else if (o.format === 'ocsf') io.stdout(`${JSON.stringify(toOcsfApiActivity(e.line))}\n`);
      else io.stdout(renderExplanation(e));
    });

  inputOptions(
    program
      .command('audit')
      .description('read audit lines')
      .command('convert')
      .description('check audit lines and print them again, as they are (json) or as OCSF API Activity events (ocsf), one per line')
      .argument('[files...]', 'audit line files ("-" or none: stdin)'),
  )
    .option('--format <format>', 'json or ocsf', oneOf(['json', 'ocsf'] as const), 'ocsf')
    .action(async (files: string[], o: InputFlags & { format: 'json' | 'ocsf' }) => {
      const input = await readInput(io, files, o);
      io.stderr(inputSummary(input));
      io.stdout(input.lines.map((l) => `${JSON.stringify(o.format === 'ocsf' ? toOcsfApiActivity(l) : l.raw)}\n`).join(''));
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return status;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.error;
    if (isPortcullisError(err)) {
      io.stderr(`error ${err.code}: ${err.message}\n`);
      return EXIT.error;
    }
    throw err;
  }
}

function replayJson(report: ReturnType<typeof replay>): unknown {
  const call = (r: { line: { origin: string; requestId: string; source: string | null; method: string; path: string; aws?: unknown }; after: unknown }): unknown => ({
    origin: r.line.origin,
    requestId: r.line.requestId,
    source: r.line.source,
    method: r.line.method,
    path: r.line.path,
    aws: r.line.aws ?? null,
    decision: r.after,
  });
  return {
    failing: report.failing,
    replayed: report.replayed,
    notReplayable: Object.fromEntries(report.notReplayable),
    workloads: report.workloads.map((w) => ({
      workload: w.workload,
      calls: w.calls,
      newlyDenied: w.newlyDenied.map(call),
      deniedFailed: w.deniedFailed.map(call),
      newlyAllowed: w.newlyAllowed.map(call),
    })),
  };
}
