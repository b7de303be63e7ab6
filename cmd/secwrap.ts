#!/usr/bin/env node
/**
 * secwrap's command line. Parsing (yargs) and policy only; the work is in src/.
 *
 *   secwrap [options] [-c FILE] -- COMMAND [ARG...]   drop privileges, then execve COMMAND
 *   secwrap check [--syntax-only] [--json] [-c] FILE  validate a config
 *   secwrap explain [-c FILE] [options] [--json | --format text|docker|k8s] [-- COMMAND...]
 *   secwrap caps [--json] [--] TEXT...                read libcap capability text
 *   secwrap completion                                print a shell completion script
 */
// First: capture the stdio flags before anything can touch process.stdout/stdin.
import '../src/exec/startup.js';
import { writeSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { run, check, explain, caps, type RunFlags } from './commands.js';
import { EXIT_FAILURE, SecwrapError } from '../src/errors.js';

declare const __SECWRAP_VERSION__: string | undefined;
const VERSION = typeof __SECWRAP_VERSION__ === 'string' ? __SECWRAP_VERSION__ : '0.0.0-dev';

function die(e: unknown, code?: number): never {
  const msg = e instanceof Error ? e.message : String(e);
  writeSync(2, `secwrap: ${msg.replace(/\n/g, ' ')}\n`);
  process.exit(code ?? (e instanceof SecwrapError ? e.exitCode : EXIT_FAILURE));
}

/** The options shared by the run path and explain. */
function dropOptions<T>(y: Argv<T>) {
  return y
    .option('config', { alias: 'c', type: 'string', describe: 'ecelerity.conf whose security scope to apply', requiresArg: true })
    .option('user', { alias: 'u', type: 'string', describe: 'user name or uid (overrides the file)', requiresArg: true })
    .option('group', { alias: 'g', type: 'string', describe: 'group name or gid (overrides the file)', requiresArg: true })
    .option('groups', { alias: 'G', type: 'string', describe: 'supplementary groups, comma-separated ("" = none)' })
    .option('chroot', { type: 'string', describe: 'chroot into DIR (absolute)', requiresArg: true })
    .option('caps', { type: 'string', describe: 'capabilities to retain, libcap text (cap_net_bind_service+ep)', requiresArg: true })
    .option('no-new-privs', { type: 'boolean', describe: 'set no_new_privs for the command' })
    .option('preserve-fds', { type: 'number', describe: 'also pass descriptors 3..3+N-1', requiresArg: true })
    .option('keep-env', { type: 'boolean', describe: 'leave the environment untouched' })
    .option('reset-env', { type: 'boolean', describe: 'only TERM kept; PATH, HOME, USER, LOGNAME, SHELL set' })
    .option('new-session', { type: 'boolean', describe: 'start a new session (setsid), against TTY injection' })
    .option('verbose', { alias: 'v', type: 'boolean', describe: 'print each step to stderr' })
    .conflicts('keep-env', 'reset-env');
}

type DropArgs = {
  config?: string;
  user?: string;
  group?: string;
  groups?: string;
  chroot?: string;
  caps?: string;
  'no-new-privs'?: boolean;
  'preserve-fds'?: number;
  'keep-env'?: boolean;
  'reset-env'?: boolean;
  'new-session'?: boolean;
  verbose?: boolean;
  _: (string | number)[];
  '--'?: (string | number)[];
};

function runFlags(a: DropArgs): RunFlags {
  return {
    config: a.config,
    user: a.user,
    group: a.group,
    groups: a.groups,
    chroot: a.chroot,
    caps: a.caps,
    noNewPrivs: a['no-new-privs'],
    preserveFds: a['preserve-fds'],
    keepEnv: a['keep-env'],
    resetEnv: a['reset-env'],
    newSession: a['new-session'],
    verbose: a.verbose,
  };
}

/** The command: positionals (parsing halts at the first) then everything after `--`. */
function commandOf(a: DropArgs, skip: number): string[] {
  return [...a._.slice(skip), ...(a['--'] ?? [])].map(String);
}

const argv = process.argv.slice(2);
const sub = argv[0];
const SUBCOMMANDS = new Set(['check', 'explain', 'caps', 'completion']);
const isRun = sub === undefined || !SUBCOMMANDS.has(sub);
const usageExit = isRun ? EXIT_FAILURE : 2;

try {
  const cli = yargs(argv)
    .scriptName('secwrap')
    .version(VERSION)
    .locale('en')
    .detectLocale(false)
    // The run path stops at the command's name (its own options follow); subcommands parse fully.
    .parserConfiguration({ 'populate--': true, 'halt-at-non-option': isRun, 'boolean-negation': false })
    .usage('secwrap [options] [-c FILE] -- COMMAND [ARG...]\n\nDrop root to the identity and capabilities of an ecelerity.conf security scope (or flags), then execve COMMAND in this PID.')
    .command(
      '$0',
      'drop privileges as planned, then execve COMMAND',
      (y) => dropOptions(y),
      (a) => run(runFlags(a as DropArgs), commandOf(a as DropArgs, 0)),
    )
    .command(
      'check [file]',
      'validate a config file (exit 0 valid, 1 invalid, 2 usage)',
      (y) =>
        y
          .positional('file', { type: 'string', describe: 'the config file' })
          .option('config', { alias: 'c', type: 'string', describe: 'the config file', requiresArg: true })
          .option('syntax-only', { type: 'boolean', describe: 'the language only: includes not followed, no scope validation' })
          .option('json', { type: 'boolean', describe: 'print the effective security scope and its sources as JSON' }),
      (a) => {
        const file = a.config ?? a.file;
        if (!file) die('check: no config file given (secwrap check FILE)', 2);
        process.exitCode = check(file, { syntaxOnly: a['syntax-only'] ?? false, json: a.json ?? false });
      },
    )
    .command(
      'explain',
      'print the plan without touching anything',
      (y) =>
        dropOptions(y)
          .option('json', { type: 'boolean', describe: 'the plan as JSON' })
          .option('format', { choices: ['text', 'json', 'docker', 'k8s'] as const, describe: 'text, json, docker (docker run flags) or k8s (securityContext)' })
          .conflicts('json', 'format'),
      (a) => explain(runFlags(a as DropArgs), commandOf(a as DropArgs, 1), a.json ? 'json' : (a.format ?? 'text')),
    )
    .command(
      'caps [texts..]',
      'read libcap capability text: one line per TEXT (exit 1 if any is invalid)',
      (y) =>
        y
          .positional('texts', { type: 'string', array: true, describe: 'capability texts' })
          .option('json', { type: 'boolean', describe: 'one JSON object per line' }),
      (a) => {
        const texts = [...(a.texts ?? []), ...((a as DropArgs)['--'] ?? [])].map(String);
        process.exitCode = caps(texts, a.json ?? false);
      },
    )
    .completion('completion', 'print a bash completion script')
    .strictOptions()
    .help()
    .alias('help', 'h')
    .wrap(100)
    .fail((msg, err) => die(err ?? new Error(msg), err instanceof SecwrapError ? err.exitCode : usageExit));
  cli.parseSync();
} catch (e) {
  die(e);
}
