/**
 * The run path's parse: a strict getopt-style reader of the option table, and nothing else.
 *
 * yargs stays the CLI (help, completion, subcommands, every usage error), but even yargs-parser
 * alone cost ≈ 2 ms of a ≈ 45 ms start (module init plus its first, cold parse; profile in the
 * bench/README.md), so the run line every container start takes is read here in a few microseconds. This
 * reader accepts only the plain forms whose meaning is not in doubt:
 *
 *   --long VALUE   --long=VALUE   -s VALUE   -sVALUE   --bool   -b   --   (then the command)
 *
 * and returns null for everything else (help, version, unknown options, an option given twice,
 * grouped short options such as -vv, `-s=VALUE`, `--bool=...`, a value that is missing, empty where
 * one is required, starts with "-", or a number that is not plain decimal). The full yargs CLI then reads that argv,
 * so every message and exit code still comes from one place. A property test
 * (test/unit/cmd/fast-args.test.ts) checks that whatever is accepted here, yargs reads the same.
 */
import { isAsciiDigits } from '../src/digits.js';
import { DROP_OPTIONS, type DropOption } from './options.js';
import type { Flags } from '../src/plan/request.js';

export interface RunArgs {
  flags: Flags;
  command: string[];
}

const LONG = new Map<string, DropOption>(
  Object.keys(DROP_OPTIONS).map((n) => [n, n as DropOption]),
);
const SHORT = new Map<string, DropOption>(
  Object.entries(DROP_OPTIONS).flatMap(([n, s]) =>
    'alias' in s ? [[s.alias, n as DropOption] as const] : [],
  ),
);
/** Plain decimal, as yargs reads a number the same way: `0`, or no leading zero, at most 9 digits. */
function plainDecimal(raw: string): boolean {
  if (raw.length > 9 || (raw.length > 1 && raw.charCodeAt(0) === 48)) return false;
  return isAsciiDigits(raw);
}

/** The option's value as yargs would give it, or null when yargs should judge the token. */
function optionValue(name: DropOption, raw: string | undefined): string | number | null {
  if (raw === undefined || raw.startsWith('-')) return null;
  const spec = DROP_OPTIONS[name];
  if ('requiresArg' in spec && spec.requiresArg && raw === '') return null;
  if (spec.type === 'number') return plainDecimal(raw) ? Number(raw) : null;
  return raw;
}

export function fastRunArgs(argv: readonly string[]): RunArgs | null {
  const flags: Record<string, unknown> = {};
  let i = 0;
  for (; i < argv.length; i++) {
    const t = argv[i]!;
    if (t === '--') {
      i++;
      break;
    }
    if (t === '-' || !t.startsWith('-')) break; // the command's name: options stop here
    let name: DropOption | undefined;
    let inline: string | undefined;
    if (t.startsWith('--')) {
      const eq = t.indexOf('=');
      name = LONG.get(eq < 0 ? t.slice(2) : t.slice(2, eq));
      if (eq >= 0) inline = t.slice(eq + 1);
    } else {
      name = SHORT.get(t[1]!);
      // getopt's attached value, `-unobody` (not `-u=x`, which yargs reads as x)
      if (t.length > 2)
        inline =
          name !== undefined && DROP_OPTIONS[name].type !== 'boolean' && t[2] !== '='
            ? t.slice(2)
            : undefined;
      if (t.length > 2 && inline === undefined) return null; // grouped (-vv) or -u=x: yargs decides
    }
    if (name === undefined) return null; // unknown, grouped or help/version: yargs decides
    const spec = DROP_OPTIONS[name];
    const repeatable = 'repeatable' in spec && spec.repeatable;
    // Twice: the CLI refuses it (./options.ts repeatedOption; yargs read `--preserve-fds 3
    // --preserve-fds 1` as 4). Only a repeatable option collects its values here.
    if (spec.flag in flags && !repeatable) return null;
    if (spec.type === 'boolean') {
      if (inline !== undefined) return null;
      flags[spec.flag] = true;
      continue;
    }
    const v = optionValue(name, inline ?? argv[++i]);
    if (v === null) return null;
    if (repeatable) {
      if (flags[spec.flag] === undefined) flags[spec.flag] = [];
      (flags[spec.flag] as unknown[]).push(v);
    } else flags[spec.flag] = v;
  }
  const command = argv.slice(i);
  if (command.length === 0) return null; // no command: yargs prints the usage
  return { flags: flags as Flags, command };
}
