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
  /** May be given more than once; the values are collected in order (an array). */
  repeatable?: boolean;
  /** The value's name in the help and the man page (`--config=FILE`); options with a value only. */
  metavar?: string;
}

export const DROP_OPTIONS = {
  config: {
    alias: 'c',
    type: 'string',
    describe: 'ecelerity.conf whose security scope to apply',
    requiresArg: true,
    flag: 'config',
    metavar: 'FILE',
  },
  user: {
    alias: 'u',
    type: 'string',
    describe: 'user name or uid (overrides the file); USER:GROUP: that group only (gosu)',
    requiresArg: true,
    flag: 'user',
    metavar: 'USER[:GROUP]',
  },
  group: {
    alias: 'g',
    type: 'string',
    describe: 'group name or gid (overrides the file)',
    requiresArg: true,
    flag: 'group',
    metavar: 'GROUP',
  },
  groups: {
    alias: 'G',
    type: 'string',
    describe: 'supplementary groups, comma-separated ("" = none)',
    flag: 'groups',
    metavar: 'LIST',
  },
  chroot: {
    type: 'string',
    describe: 'chroot into DIR (absolute)',
    requiresArg: true,
    flag: 'chroot',
    metavar: 'DIR',
  },
  caps: {
    type: 'string',
    describe: 'capabilities to retain, libcap text (cap_net_bind_service+ep)',
    requiresArg: true,
    flag: 'caps',
    metavar: 'TEXT',
  },
  'no-new-privs': {
    type: 'boolean',
    describe: 'set no_new_privs for the command',
    flag: 'noNewPrivs',
  },
  'preserve-fds': {
    type: 'number',
    describe: 'also pass descriptors 3..3+N-1',
    requiresArg: true,
    flag: 'preserveFds',
    metavar: 'N',
  },
  'keep-env': { type: 'boolean', describe: 'leave the environment untouched', flag: 'keepEnv' },
  'reset-env': {
    type: 'boolean',
    describe: 'only TERM kept; PATH, HOME, USER, LOGNAME, SHELL set',
    flag: 'resetEnv',
  },
  'new-session': {
    type: 'boolean',
    describe: 'start a new session (setsid), against TTY injection',
    flag: 'newSession',
  },
  verbose: { alias: 'v', type: 'boolean', describe: 'print each step to stderr', flag: 'verbose' },
  rlimit: {
    type: 'string',
    describe: "resource limit NAME=SOFT[:HARD] (prlimit's names; unlimited); repeatable",
    requiresArg: true,
    flag: 'rlimit',
    repeatable: true,
  },
  umask: {
    type: 'string',
    describe: 'umask for the command (octal, e.g. 027)',
    requiresArg: true,
    flag: 'umask',
  },
  securebits: {
    type: 'string',
    describe: "securebits, setpriv's syntax: (+|-)BIT,... (noroot, no_setuid_fixup, …_locked)",
    requiresArg: true,
    flag: 'securebits',
  },
  pdeathsig: {
    type: 'string',
    describe: 'parent-death signal: keep, clear or a signal name',
    requiresArg: true,
    flag: 'pdeathsig',
  },
  'keep-groups': {
    type: 'boolean',
    describe: "keep the caller's supplementary groups",
    flag: 'keepGroups',
  },
  'clear-groups': { type: 'boolean', describe: 'no supplementary groups', flag: 'clearGroups' },
  'init-groups': {
    type: 'boolean',
    describe: "the user's groups from initgroups(3) (the default with a user)",
    flag: 'initGroups',
  },
  'landlock-access': {
    type: 'string',
    describe: 'Landlock: rights to restrict, fs or fs:RIGHT,...; repeatable',
    requiresArg: true,
    flag: 'landlockAccess',
    repeatable: true,
  },
  'landlock-rule': {
    type: 'string',
    describe: 'Landlock: allow path-beneath:RIGHT,...:PATH; repeatable',
    requiresArg: true,
    flag: 'landlockRule',
    repeatable: true,
  },
  'apparmor-profile': {
    type: 'string',
    describe: 'AppArmor profile for the command',
    requiresArg: true,
    flag: 'apparmorProfile',
  },
  'selinux-label': {
    type: 'string',
    describe: 'SELinux label for the command',
    requiresArg: true,
    flag: 'selinuxLabel',
  },
} as const satisfies Record<string, OptionSpec>;

export type DropOption = keyof typeof DROP_OPTIONS;

/** Parser settings shared by yargs and the fast parse. */
export const PARSER_CONFIGURATION = {
  'populate--': true,
  'boolean-negation': false, // --no-new-privs is an option, not the negation of --new-privs
  'parse-positional-numbers': false, // the command's arguments stay byte for byte ("010")
  // Repeated options are collected (the repeatable ones need it); for the others flagsFrom keeps
  // the last value, as getopt does: -u a -u b is -u b.
  'duplicate-arguments-array': true,
} as const;

export const SUBCOMMANDS: ReadonlySet<string> = new Set(['check', 'explain', 'caps', 'completion']);

/** Flags from parsed arguments (keys are the long option names). */
export function flagsFrom(args: Record<string, unknown>): Flags {
  const flags: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(DROP_OPTIONS)) {
    const v = args[name];
    if (v === undefined) continue;
    if ('repeatable' in spec && spec.repeatable)
      flags[spec.flag] = Array.isArray(v) ? v.map(String) : [String(v)];
    else flags[spec.flag] = Array.isArray(v) ? v[v.length - 1] : v;
  }
  return flags as Flags;
}

/** The options of each subcommand besides the shared ones, as [long name, alias, takes a value]. */
const OWN_OPTIONS: Readonly<
  Record<string, readonly (readonly [string, string | undefined, boolean])[]>
> = {
  check: [
    ['config', 'c', true],
    ['syntax-only', undefined, false],
    ['json', undefined, false],
  ],
  explain: [
    ['json', undefined, false],
    ['format', undefined, true],
  ],
  caps: [['json', undefined, false]],
  completion: [],
};
const GLOBAL_OPTIONS = [
  ['help', 'h', false],
  ['version', undefined, false],
] as const;

/**
 * The first option given more than once in `argv` (its long name), or undefined. yargs keeps the
 * last value of a repeated option but reads a repeated number its own way
 * (`--preserve-fds 3 --preserve-fds 1` gave 4), so secwrap refuses any repeat, as a usage error.
 * Scanned as yargs reads: every form of a name (`-u`, `--user`, `--user=`, grouped `-vu x`) is
 * the same option; an option that takes a value takes the next word unless that starts with "-";
 * the run path stops at the command's name, and everything stops at `--`. Usage errors only: not
 * on the run path's fast parse, which never accepts a repeat.
 */
export function repeatedOption(argv: readonly string[]): string | undefined {
  const sub = argv[0] !== undefined && SUBCOMMANDS.has(argv[0]) ? argv[0] : undefined;
  // [name, alias, takes a value, may repeat (--rlimit, --landlock-*: each adds one)]
  const table: (readonly [string, string | undefined, boolean, boolean?])[] = [...GLOBAL_OPTIONS];
  if (sub === undefined || sub === 'explain') {
    for (const [name, spec] of Object.entries(DROP_OPTIONS)) {
      table.push([
        name,
        'alias' in spec ? spec.alias : undefined,
        spec.type !== 'boolean',
        'repeatable' in spec && spec.repeatable,
      ]);
    }
  }
  if (sub !== undefined) table.push(...(OWN_OPTIONS[sub] ?? []));
  const long = new Map(table.map((o) => [o[0], o] as const));
  const short = new Map(table.filter((o) => o[1] !== undefined).map((o) => [o[1]!, o] as const));
  const seen = new Set<string>();
  const add = (o: readonly [string, string | undefined, boolean, boolean?]): boolean => {
    if (o[3]) return false;
    if (seen.has(o[0])) return true;
    seen.add(o[0]);
    return false;
  };
  for (let i = sub === undefined ? 0 : 1; i < argv.length; i++) {
    const t = argv[i]!;
    if (t === '--') break;
    if (t === '-' || !t.startsWith('-')) {
      if (sub === undefined) break; // the run path: the command's name
      continue; // a positional of a subcommand
    }
    if (t.startsWith('--')) {
      const eq = t.indexOf('=');
      const o = long.get(eq < 0 ? t.slice(2) : t.slice(2, eq));
      if (o === undefined) continue; // unknown: yargs refuses it
      if (add(o)) return o[0];
      if (o[2] && eq < 0 && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('-')) i++;
      continue;
    }
    for (let k = 1; k < t.length; k++) {
      const o = short.get(t[k]!);
      if (o === undefined) break;
      if (add(o)) return o[0];
      if (o[2]) {
        if (k === t.length - 1 && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('-')) i++;
        break; // the rest of the word, or the next one, is its value
      }
    }
  }
  return undefined;
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
  Object.entries(DROP_OPTIONS).flatMap(([n, s]) =>
    'alias' in s ? [[s.alias, n as DropOption] as const] : [],
  ),
);
