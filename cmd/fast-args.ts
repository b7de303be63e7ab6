/**
 * The run path's parse: yargs-parser (the parser inside yargs) over the same option table, with
 * none of yargs' command, help and layout machinery, which costs more than all of secwrap's own
 * work at start-up. It accepts only what it fully understands; for anything else (help, version,
 * an unknown or malformed option) it returns null and the full yargs CLI handles the argv, so
 * every message and exit code comes from one place.
 */
import parser from 'yargs-parser';
import { DROP_OPTIONS, PARSER_CONFIGURATION, flagsFrom } from './options.js';
import type { Flags } from '../src/plan/request.js';

export interface RunArgs {
  flags: Flags;
  command: string[];
}

const byType = (t: string): string[] => Object.entries(DROP_OPTIONS).filter(([, s]) => s.type === t).map(([n]) => n);
const ALIASES: Record<string, string> = Object.fromEntries(
  Object.entries(DROP_OPTIONS).flatMap(([n, s]) => ('alias' in s ? [[n, s.alias]] : [])),
);
const KNOWN = new Set([...Object.keys(DROP_OPTIONS), ...Object.values(ALIASES), '_', '--']);

const SHORT = new Map(Object.entries(ALIASES).map(([long, short]) => [short, long]));
const takesValue = (long: string): boolean => DROP_OPTIONS[long as keyof typeof DROP_OPTIONS].type !== 'boolean';

/** Every token before the command is a known option spelling (else yargs should explain). */
function onlyKnownOptions(argv: readonly string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    const t = argv[i]!;
    if (t === '--' || !t.startsWith('-') || t === '-') return true;
    if (t.startsWith('--')) {
      const name = t.slice(2).split('=')[0]!;
      if (!(name in DROP_OPTIONS)) return false;
      if (!t.includes('=') && takesValue(name)) i++;
      continue;
    }
    const letters = [...t.slice(1)];
    for (let j = 0; j < letters.length; j++) {
      const long = SHORT.get(letters[j]!);
      if (long === undefined) return false;
      if (takesValue(long)) {
        if (j === letters.length - 1) i++;
        break; // the rest of the token is the value
      }
    }
  }
  return true;
}

export function fastRunArgs(argv: readonly string[]): RunArgs | null {
  if (argv.length === 0 || argv.some((a) => a === '--help' || a === '-h' || a === '--version')) return null;
  if (!onlyKnownOptions(argv)) return null;
  const r = parser.detailed([...argv], {
    string: byType('string'),
    boolean: byType('boolean'),
    number: byType('number'),
    alias: ALIASES,
    configuration: {
      ...PARSER_CONFIGURATION,
      'halt-at-non-option': true,
      'camel-case-expansion': false,
      'dot-notation': false,
      'flatten-duplicate-arrays': false,
      'short-option-groups': true,
      'strip-aliased': true,
    },
  });
  if (r.error) return null;
  const a = r.argv as Record<string, unknown>;
  for (const k of Object.keys(a)) if (!KNOWN.has(k)) return null; // unknown option: yargs explains
  for (const [name, spec] of Object.entries(DROP_OPTIONS)) {
    const v = a[name];
    if (v === undefined) continue;
    if (Array.isArray(v)) return null;
    if (spec.type === 'number' && (typeof v !== 'number' || Number.isNaN(v))) return null;
    if (spec.type === 'string' && typeof v !== 'string') return null;
    if ('requiresArg' in spec && spec.requiresArg && v === '') return null;
  }
  const command = [...(a._ as (string | number)[]), ...((a['--'] as (string | number)[] | undefined) ?? [])].map(String);
  return { flags: flagsFrom(a), command };
}
