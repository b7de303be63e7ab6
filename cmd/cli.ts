/**
 * The full command line on yargs: subcommands, help, completion, and every usage error's
 * message. Loaded only when the run path's fast parse cannot take the argv (see ./secwrap.ts),
 * and bundled apart (dist/cli.cjs; in the executable, its own asset): the exec path never
 * compiles yargs.
 *
 * What it calls comes from the program that loaded it (`CliHost`), not from imports: a separate
 * bundle importing them would get copies of their modules, with their own state (the loaded
 * addon, the stdio flags captured at start) and their own SecwrapError class, which `instanceof`
 * would not recognise. Only pure data and types are imported here.
 */
import yargs, { type Argv } from 'yargs';
import type { run, check, explain, caps } from './commands.js';
import type { die } from './die.js';
import {
  DROP_OPTIONS,
  PARSER_CONFIGURATION,
  SUBCOMMANDS,
  expandAttached,
  flagsFrom,
  repeatedOption,
} from './options.js';
import type { SecwrapError } from '../src/errors.js';
import { EXIT_USAGE, completions, helpText } from './help.js';
import { writeAll } from './output.js';

/** The program's own functions and error class, handed over by ./secwrap.ts. */
export interface CliHost {
  run: typeof run;
  check: typeof check;
  explain: typeof explain;
  caps: typeof caps;
  die: typeof die;
  SecwrapError: typeof SecwrapError;
}

/** The options shared by the run path and explain, from the one table. */
function dropOptions<T>(y: Argv<T>): Argv<T> {
  for (const [name, spec] of Object.entries(DROP_OPTIONS)) {
    y = y.option(name, {
      type: spec.type,
      describe: spec.describe,
      ...('alias' in spec ? { alias: spec.alias } : {}),
      ...('requiresArg' in spec ? { requiresArg: spec.requiresArg } : {}),
      // One value per occurrence, collected: --rlimit a --rlimit b (never the command's words).
      ...('repeatable' in spec && spec.repeatable ? { array: true, nargs: 1 } : {}),
    }) as Argv<T>;
  }
  return y.conflicts('keep-env', 'reset-env');
}

type Parsed = Record<string, unknown> & { _: (string | number)[]; '--'?: (string | number)[] };

/** The command: positionals (parsing halts at the first) then everything after `--`. */
function commandOf(a: Parsed, skip: number): string[] {
  return [...a._.slice(skip), ...(a['--'] ?? [])].map(String);
}

/**
 * The run path's argv as full yargs reads it (no handlers run). The fast parse must agree with
 * this wherever it accepts an argv; test/unit/cmd/fast-args.test.ts checks that.
 */
export function yargsRunArgs(argv: string[]): {
  flags: ReturnType<typeof flagsFrom>;
  command: string[];
} {
  const twice = repeatedOption(argv);
  if (twice !== undefined) throw new Error(repeatedMessage(twice));
  const a = dropOptions(yargs(expandAttached(argv)))
    .parserConfiguration({ ...PARSER_CONFIGURATION, 'halt-at-non-option': true })
    .strictOptions()
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new Error(msg);
    })
    .help(false)
    .version(false)
    .parseSync() as Parsed;
  return { flags: flagsFrom(a), command: commandOf(a, 0) };
}

function repeatedMessage(name: string): string {
  return `option --${name} is given more than once (each option may be given once)`;
}

export function runCli(argv: string[], version: string, host: CliHost): void {
  const { run, check, explain, caps, die, SecwrapError } = host;
  const isRun = argv[0] === undefined || !SUBCOMMANDS.has(argv[0]);
  const usageExit = EXIT_USAGE; // one code for usage errors on every path (docs/drop-in.md)
  const twice = repeatedOption(argv);
  if (twice !== undefined) die(repeatedMessage(twice), usageExit);
  // bash completion (the script `secwrap completion` prints asks this): real option names
  if (argv[0] === '--get-yargs-completions') {
    writeAll(
      1,
      completions(argv.slice(1))
        .map((w) => `${w}\n`)
        .join(''),
    );
    return;
  }
  const help = helpAsked(argv, isRun);
  if (help !== null) {
    writeAll(1, helpText(help));
    return;
  }
  if (argv[0] === 'completion' && argv.length > 1) {
    die(`completion: unexpected argument ${argv[1]} (secwrap completion)`, usageExit);
  }
  // getopt's attached short values (-unobody) on the options the run and explain share
  argv = isRun
    ? expandAttached(argv)
    : argv[0] === 'explain'
      ? ['explain', ...expandAttached(argv.slice(1))]
      : argv;
  yargs(argv)
    .scriptName('secwrap')
    .locale('en')
    .detectLocale(false)
    // The run path stops at the command's name (its own options follow); subcommands parse fully.
    // `caps TEXT...` is a variadic positional, which yargs collects as duplicates; the run path and
    // explain collect them too (repeatable options; flagsFrom keeps the last of the others).
    .parserConfiguration({
      ...PARSER_CONFIGURATION,
      'halt-at-non-option': isRun,
      'duplicate-arguments-array': argv[0] !== 'check',
    })
    .usage(
      'secwrap [options] [-c FILE] -- COMMAND [ARG...]\n\nDrop root to the identity and capabilities of an ecelerity.conf security scope (or flags), then execve COMMAND in this PID.',
    )
    .command(
      '$0',
      'drop privileges as planned, then execve COMMAND',
      (y) => dropOptions(y),
      (a) => run(flagsFrom(a), commandOf(a as Parsed, 0)),
    )
    .command(
      'check [file]',
      'validate a config file (exit 0 valid, 1 invalid, 125 usage)',
      (y) =>
        y
          .positional('file', { type: 'string', describe: 'the config file' })
          .option('config', {
            alias: 'c',
            type: 'string',
            describe: 'the config file',
            requiresArg: true,
          })
          .option('syntax-only', {
            type: 'boolean',
            describe: 'the language only: includes not followed, no scope validation',
          })
          .option('json', {
            type: 'boolean',
            describe: 'print the effective security scope and its sources as JSON',
          }),
      (a) => {
        const file = a.config ?? a.file;
        if (!file) return die('check: no config file given (secwrap check FILE)', usageExit);
        process.exitCode = check(file, {
          syntaxOnly: a['syntax-only'] ?? false,
          json: a.json ?? false,
        });
      },
    )
    .command(
      'explain',
      'print the plan without touching anything',
      (y) =>
        dropOptions(y)
          .option('json', { type: 'boolean', describe: 'the plan as JSON' })
          .option('format', {
            choices: ['text', 'json', 'docker', 'k8s'] as const,
            describe: 'text, json, docker (docker run flags) or k8s (securityContext)',
          })
          .conflicts('json', 'format'),
      (a) =>
        explain(flagsFrom(a), commandOf(a as Parsed, 1), a.json ? 'json' : (a.format ?? 'text')),
    )
    .command(
      'caps [texts..]',
      'read libcap capability text: one line per TEXT (exit 1 if any is invalid)',
      (y) =>
        y
          .positional('texts', { type: 'string', array: true, describe: 'capability texts' })
          .option('json', { type: 'boolean', describe: 'one JSON object per line' }),
      (a) => {
        const texts = [...(a.texts ?? []), ...((a as Parsed)['--'] ?? [])].map(String);
        if (texts.length === 0)
          return die('caps: no TEXT given (secwrap caps [--json] [--] TEXT...)', usageExit);
        process.exitCode = caps(texts, a.json ?? false);
      },
    )
    .completion('completion', 'print a bash completion script')
    .version('version', 'print the version and exit', `secwrap ${version}`)
    .alias('version', 'V')
    .strictOptions()
    .help(false) // ./help.ts: GNU-style, with metavariables, examples and exit status
    .wrap(100)
    .fail((msg, err) =>
      die(err ?? new Error(msg), err instanceof SecwrapError ? err.exitCode : usageExit),
    )
    .parseSync();
}

/**
 * `--help` or `-h` among the options (before `--`, and on the run line before COMMAND): the
 * command whose help to print ('' for the run line), or null.
 */
function helpAsked(argv: string[], isRun: boolean): string | null {
  const command = isRun ? '' : argv[0]!;
  for (const t of isRun ? argv : argv.slice(1)) {
    if (t === '--') break;
    if (t === '--help' || t === '-h') return command;
    if (isRun && !t.startsWith('-')) break; // COMMAND (or an option's value: help is not asked there)
  }
  return null;
}
