/**
 * The help of each command, and the bash completion's answers, written from the option table
 * (./options.ts) the way GNU tools print them: metavariables (`--config=FILE`), examples, exit
 * status. Part of the CLI bundle (./cli.ts): never on the run path.
 */
import { DROP_OPTIONS, type OptionSpec } from './options.js';

/** Usage errors, on every path (the run line, every subcommand): as coreutils env and chroot. */
export const EXIT_USAGE = 125;

interface Line {
  short?: string;
  long: string;
  metavar?: string;
  describe: string;
}

const dropLines = (): Line[] =>
  Object.entries(DROP_OPTIONS as Record<string, OptionSpec>).map(([long, s]) => ({
    short: s.alias,
    long,
    metavar: s.metavar,
    describe: s.describe,
  }));

const HELP: Line = { short: 'h', long: 'help', describe: 'print this help and exit' };
const VERSION: Line = { short: 'V', long: 'version', describe: 'print the version and exit' };
const JSON_OPT = (what: string): Line => ({ long: 'json', describe: what });

/** Options of each subcommand, and of the run line (''). */
export const COMMAND_OPTIONS: Record<string, Line[]> = {
  '': [...dropLines(), HELP, VERSION],
  check: [
    {
      short: 'c',
      long: 'config',
      metavar: 'FILE',
      describe: 'the config file (or give it as FILE)',
    },
    {
      long: 'syntax-only',
      describe: 'the language only: includes not followed, no scope validation',
    },
    JSON_OPT('print the effective security scope and its sources as JSON'),
    HELP,
  ],
  explain: [
    ...dropLines(),
    JSON_OPT('the plan as JSON (same as --format json)'),
    {
      long: 'format',
      metavar: 'FORMAT',
      describe: 'text, json, docker (docker run flags) or k8s (securityContext)',
    },
    HELP,
  ],
  caps: [JSON_OPT('one JSON object per line'), HELP],
  completion: [HELP],
};

const FORMATS = ['text', 'json', 'docker', 'k8s'];

function optionTable(lines: Line[]): string {
  const left = lines.map(
    (l) => `${l.short ? `-${l.short}, ` : '    '}--${l.long}${l.metavar ? `=${l.metavar}` : ''}`,
  );
  const width = Math.max(...left.map((s) => s.length)) + 2;
  return lines.map((l, i) => `  ${left[i]!.padEnd(width)}${l.describe}\n`).join('');
}

const EXIT_STATUS =
  'Exit status:\n' +
  `  ${EXIT_USAGE}  secwrap failed: a usage error, a bad or missing config, an unknown user or group,\n` +
  '       a missing privilege, a failed or unverified drop; the command never ran\n' +
  '  126  COMMAND was found but could not be run\n' +
  '  127  COMMAND was not found\n' +
  '  otherwise the exit status of COMMAND, which secwrap has become\n';

const SYNOPSES: Record<string, string> = {
  '': 'secwrap [OPTION]... [-c FILE] [--] COMMAND [ARG]...',
  check: 'secwrap check [--syntax-only] [--json] [-c] FILE',
  explain: 'secwrap explain [OPTION]... [--json | --format=FORMAT] [-- COMMAND [ARG]...]',
  caps: 'secwrap caps [--json] [--] TEXT...',
  completion: 'secwrap completion',
};

export function helpText(command: string): string {
  const opts = optionTable(COMMAND_OPTIONS[command] ?? COMMAND_OPTIONS['']!);
  switch (command) {
    case 'check':
      return (
        `Usage: ${SYNOPSES.check}\nValidate a config: the language, includes (trust-checked as root), the security scope's\n` +
        `values, capability and privilege texts, the chroot's path. No user is looked up.\n\nOptions:\n${opts}\n` +
        `Examples:\n  secwrap check /etc/ecelerity/ecelerity.conf\n  secwrap check --json -c /etc/ecelerity/ecelerity.conf\n\n` +
        `Exit status:\n  0    valid\n  1    invalid (FILE:LINE:COL: what is wrong, on stderr)\n  ${EXIT_USAGE}  a usage error\n`
      );
    case 'explain':
      return (
        `Usage: ${SYNOPSES.explain}\nWork out the plan exactly as the run would and print it; change nothing.\n\nOptions:\n${opts}\n` +
        'Examples:\n  secwrap explain -c /etc/ecelerity/ecelerity.conf -- ecelerity\n' +
        '  secwrap explain --format=docker -c /etc/ecelerity/ecelerity.conf\n  secwrap explain -u nobody --caps cap_net_bind_service+ep --json\n\n' +
        `Exit status:\n  0    the run would go ahead\n  ${EXIT_USAGE}  the run would fail (the plan is still printed when there is one; the reason is\n` +
        '       on stderr), or a usage error. --format=docker and k8s describe a container run and\n' +
        '       do not fail for privileges this process lacks\n'
      );
    case 'caps':
      return (
        `Usage: ${SYNOPSES.caps}\nRead each libcap capability TEXT (cap_from_text syntax) and print its canonical text and sets.\n\n` +
        `Options:\n${opts}\nExamples:\n  secwrap caps cap_net_bind_service+ep\n  secwrap caps --json -- '=ep cap_sys_admin-p'\n\n` +
        `Exit status:\n  0    every TEXT is valid\n  1    a TEXT is invalid\n  ${EXIT_USAGE}  a usage error (no TEXT, an unknown option)\n`
      );
    case 'completion':
      return (
        `Usage: ${SYNOPSES.completion}\nPrint a bash completion script for secwrap's commands and options.\n\nOptions:\n${opts}\n` +
        `Examples:\n  secwrap completion > /etc/bash_completion.d/secwrap\n  source <(secwrap completion)\n\nExit status:\n  0    printed\n  ${EXIT_USAGE}  a usage error\n`
      );
    default:
      return (
        `Usage: ${SYNOPSES['']}\n` +
        Object.keys(SYNOPSES)
          .filter((k) => k !== '')
          .map((k) => `  or:  ${SYNOPSES[k]}\n`)
          .join('') +
        'Drop root to the identity and capabilities of an ecelerity.conf security scope (or of the\n' +
        'options), check the result, then execve COMMAND in this PID. Options stop at COMMAND.\n\n' +
        `Options:\n${opts}\n` +
        'Commands:\n' +
        '  check       validate a config file\n' +
        '  explain     print the plan without touching anything (text, json, docker, k8s)\n' +
        '  caps        read libcap capability text\n' +
        '  completion  print a bash completion script\n' +
        "  Run 'secwrap COMMAND --help' for each one's options.\n\n" +
        'Examples:\n' +
        '  secwrap -c /etc/ecelerity/ecelerity.conf -- ecelerity\n' +
        '  secwrap -u nobody --caps=cap_net_bind_service+ep -- nginx -g "daemon off;"\n' +
        "  secwrap -u postgres:postgres -- postgres      (gosu's USER:GROUP: that group only)\n" +
        '  ln -s secwrap /usr/local/bin/gosu             (then gosu USER-SPEC COMMAND, as gosu;\n' +
        '                                                 su-exec likewise)\n\n' +
        EXIT_STATUS
      );
  }
}

/**
 * The words bash should offer. `words`: the command line as bash split it, from secwrap's own
 * name on, the last one being the word under the cursor. Option names are the real ones
 * (`--config`, `-c`); an empty answer lets bash complete file names (`-o default`).
 */
export function completions(words: readonly string[]): string[] {
  const args = words.slice(1);
  const cur = args[args.length - 1] ?? '';
  const before = args.slice(0, -1);
  const command =
    before[0] !== undefined && before[0] in COMMAND_OPTIONS && before[0] !== '' ? before[0] : '';
  const lines = COMMAND_OPTIONS[command]!;
  const prev = before[before.length - 1];
  const takesValue =
    prev === undefined
      ? undefined
      : lines.find((l) => prev === `--${l.long}` || prev === `-${l.short}`);
  if (takesValue?.long === 'format') return FORMATS;
  if (takesValue?.metavar) return []; // a value: file names, or nothing to offer
  // Past `--`, or past the run line's COMMAND: the command's own words.
  if (before.includes('--')) return [];
  if (
    command === '' &&
    before.some((w, i) => !w.startsWith('-') && !isValueOf(before[i - 1], lines))
  )
    return [];
  if (cur.startsWith('-'))
    return lines.flatMap((l) => [`--${l.long}`, ...(l.short ? [`-${l.short}`] : [])]);
  return before.length === 0 ? Object.keys(COMMAND_OPTIONS).filter((k) => k !== '') : [];
}

function isValueOf(word: string | undefined, lines: Line[]): boolean {
  return (
    word !== undefined &&
    lines.some((l) => l.metavar !== undefined && (word === `--${l.long}` || word === `-${l.short}`))
  );
}
