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
  /** The value's name in the help and the man page (`--config=FILE`); options with a value only. */
  metavar?: string;
}

export const DROP_OPTIONS = {
  config: { alias: 'c', type: 'string', describe: 'ecelerity.conf whose security scope to apply', requiresArg: true, flag: 'config', metavar: 'FILE' },
  user: { alias: 'u', type: 'string', describe: 'user name or uid (overrides the file); USER:GROUP: that group only (gosu)', requiresArg: true, flag: 'user', metavar: 'USER[:GROUP]' },
  group: { alias: 'g', type: 'string', describe: 'group name or gid (overrides the file)', requiresArg: true, flag: 'group', metavar: 'GROUP' },
  groups: { alias: 'G', type: 'string', describe: 'supplementary groups, comma-separated ("" = none)', flag: 'groups', metavar: 'LIST' },
  chroot: { type: 'string', describe: 'chroot into DIR (absolute)', requiresArg: true, flag: 'chroot', metavar: 'DIR' },
  caps: { type: 'string', describe: 'capabilities to retain, libcap text (cap_net_bind_service+ep)', requiresArg: true, flag: 'caps', metavar: 'TEXT' },
  'no-new-privs': { type: 'boolean', describe: 'set no_new_privs for the command', flag: 'noNewPrivs' },
  'preserve-fds': { type: 'number', describe: 'also pass descriptors 3..3+N-1', requiresArg: true, flag: 'preserveFds', metavar: 'N' },
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

/**
 * getopt's attached short values, `-unobody` and `-Gadm,ecmail`, which yargs-parser reads as
 * grouped flags: rewritten as `--user=nobody`, `--groups=adm,ecmail` before yargs reads the
 * argv. Only up to the command's name or `--` (what follows belongs to the command), skipping
 * the separate value of `-u VALUE` and `--user VALUE`. `-u=x` is left as it is (yargs reads x;
 * getopt would read "=x"), and so is a grouped boolean (`-vu x`). The fast parse reads the same
 * forms itself (./fast-args.ts).
 */
export function expandAttached(argv: readonly string[]): string[] {
  const out = [...argv];
  for (let i = 0; i < out.length; i++) {
    const t = out[i]!;
    if (t === '--' || t === '-' || !t.startsWith('-')) break;
    if (t.startsWith('--')) {
      const spec = (DROP_OPTIONS as Record<string, OptionSpec>)[t.slice(2)];
      if (spec && spec.type !== 'boolean') i++;
      continue;
    }
    const long = SHORT_NAMES.get(t[1]!);
    const spec = long === undefined ? undefined : DROP_OPTIONS[long];
    if (spec === undefined || spec.type === 'boolean') continue;
    if (t.length === 2) i++;
    else if (t[2] !== '=') out[i] = `--${long}=${t.slice(2)}`;
  }
  return out;
}

const SHORT_NAMES = new Map<string, DropOption>(
  Object.entries(DROP_OPTIONS).flatMap(([n, s]) => ('alias' in s ? [[s.alias, n as DropOption] as const] : [])),
);
