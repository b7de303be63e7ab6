/**
 * The options of the run path and of `explain`, defined once. yargs builds the help, the
 * completion and the error messages from this table; the run path's fast parse (./fast-args.ts)
 * reads the same table.
 */
import type { Flags } from '../src/plan/request.js';

export interface OptionSpec {
  alias?: string;
  type: 'string' | 'boolean' | 'number';
  describe: string;
  /** The option needs a value (yargs' requiresArg). */
  requiresArg?: boolean;
  /** The Flags field it sets. */
  flag: keyof Flags;
}

export const DROP_OPTIONS = {
  config: { alias: 'c', type: 'string', describe: 'ecelerity.conf whose security scope to apply', requiresArg: true, flag: 'config' },
  user: { alias: 'u', type: 'string', describe: 'user name or uid (overrides the file)', requiresArg: true, flag: 'user' },
  group: { alias: 'g', type: 'string', describe: 'group name or gid (overrides the file)', requiresArg: true, flag: 'group' },
  groups: { alias: 'G', type: 'string', describe: 'supplementary groups, comma-separated ("" = none)', flag: 'groups' },
  chroot: { type: 'string', describe: 'chroot into DIR (absolute)', requiresArg: true, flag: 'chroot' },
  caps: { type: 'string', describe: 'capabilities to retain, libcap text (cap_net_bind_service+ep)', requiresArg: true, flag: 'caps' },
  'no-new-privs': { type: 'boolean', describe: 'set no_new_privs for the command', flag: 'noNewPrivs' },
  'preserve-fds': { type: 'number', describe: 'also pass descriptors 3..3+N-1', requiresArg: true, flag: 'preserveFds' },
  'keep-env': { type: 'boolean', describe: 'leave the environment untouched', flag: 'keepEnv' },
  'reset-env': { type: 'boolean', describe: 'only TERM kept; PATH, HOME, USER, LOGNAME, SHELL set', flag: 'resetEnv' },
  'new-session': { type: 'boolean', describe: 'start a new session (setsid), against TTY injection', flag: 'newSession' },
  verbose: { alias: 'v', type: 'boolean', describe: 'print each step to stderr', flag: 'verbose' },
} as const satisfies Record<string, OptionSpec>;

export type DropOption = keyof typeof DROP_OPTIONS;

/** Parser settings shared by yargs and the fast parse. */
export const PARSER_CONFIGURATION = {
  'populate--': true,
  'boolean-negation': false, // --no-new-privs is an option, not the negation of --new-privs
  'parse-positional-numbers': false, // the command's arguments stay byte for byte ("010")
  'duplicate-arguments-array': false, // -u a -u b: the last one wins, as with getopt
} as const;

export const SUBCOMMANDS: ReadonlySet<string> = new Set(['check', 'explain', 'caps', 'completion']);

/** Flags from parsed arguments (keys are the long option names). */
export function flagsFrom(args: Record<string, unknown>): Flags {
  const flags: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(DROP_OPTIONS)) {
    if (args[name] !== undefined) flags[spec.flag] = args[name];
  }
  return flags as Flags;
}
