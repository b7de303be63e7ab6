// @ts-check
// secwrap.1, the manual page, in roff (man macros).
//
// The OPTIONS section comes from the same table yargs builds `--help` from (DROP_OPTIONS in
// cmd/options.ts), so the help and the manual cannot drift apart: the table is transpiled with
// esbuild (a devDependency; the release runs where the build runs) and imported here. The rest
// is prose kept next to it, checked by `groff -ww` in the release stage of `npm test`.
//
//   node scripts/man.mjs [--out FILE]     (npm run man; default dist/secwrap.1)
// The date is SOURCE_DATE_EPOCH's (the last commit's time when unset), so the page is
// reproducible.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * @typedef {{ alias?: string, type: 'string' | 'boolean' | 'number', describe: string,
 *   requiresArg?: boolean, flag: string }} OptionSpec
 */

/** DROP_OPTIONS of cmd/options.ts, transpiled in memory. @returns {Promise<Record<string, OptionSpec>>} */
export async function dropOptions() {
  const out = await build({
    entryPoints: [join(root, 'cmd/options.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    logLevel: 'warning',
  });
  const code = out.outputFiles[0]?.text ?? '';
  const mod = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
  return mod.DROP_OPTIONS;
}

/** SOURCE_DATE_EPOCH, else the last commit's time, else 0 (a tree without git). */
export function sourceDateEpoch() {
  const env = process.env.SOURCE_DATE_EPOCH;
  if (env !== undefined && env !== '') {
    if (!/^\d+$/.test(env)) throw new Error(`SOURCE_DATE_EPOCH=${env}: expected whole seconds`);
    return Number(env);
  }
  try {
    const t = execFileSync('git', ['log', '-1', '--format=%ct'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (/^\d+$/.test(t)) return Number(t);
  } catch {
    // not a git checkout (a container build context): the fixed fallback below
  }
  return 0;
}

/**
 * Roff-safe text: backslashes escaped, hyphens as minus signs (options stay copy-pasteable),
 * and every character outside ASCII as groff's \[uXXXX] (troff reads its input as Latin-1 and
 * warns about the bytes of UTF-8, such as the option table's "…").
 */
const esc = (/** @type {string} */ s) =>
  s
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(/^([.'])/gm, '\\&$1')
    .replace(
      /[^\x00-\x7f]/gu,
      (c) => `\\[u${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}]`,
    );

/** The value's name in the synopsis of an option. Unknown new options get their own name. */
const METAVAR = /** @type {Record<string, string>} */ ({
  config: 'FILE',
  user: 'USER',
  group: 'GROUP',
  groups: 'LIST',
  chroot: 'DIR',
  caps: 'TEXT',
  'preserve-fds': 'N',
});

/** @param {Record<string, OptionSpec>} options */
function optionsSection(options) {
  const lines = [];
  for (const [name, spec] of Object.entries(options)) {
    const takesValue = spec.type !== 'boolean';
    const metavar = METAVAR[name] ?? name.toUpperCase().replace(/-/g, '_');
    const forms = [];
    if (spec.alias)
      forms.push(`\\fB\\-${esc(spec.alias)}\\fR${takesValue ? ` \\fI${metavar}\\fR` : ''}`);
    forms.push(`\\fB\\-\\-${esc(name)}\\fR${takesValue ? ` \\fI${metavar}\\fR` : ''}`);
    lines.push('.TP', forms.join(', '), `${esc(spec.describe)}.`);
  }
  lines.push('.TP', '\\fB\\-h\\fR, \\fB\\-\\-help\\fR', 'Print the help and exit.');
  lines.push('.TP', '\\fB\\-\\-version\\fR', 'Print the version and exit.');
  return lines;
}

/**
 * The page. @param {{ version: string, epoch: number, options: Record<string, OptionSpec> }} p
 * @returns {string}
 */
export function manPage({ version, epoch, options }) {
  const date = new Date(epoch * 1000).toISOString().slice(0, 10);
  const L = [];
  L.push(
    `.TH SECWRAP 1 ${date} "secwrap ${version}" "User Commands"`,
    '.SH NAME',
    'secwrap \\- drop root to the identity and capabilities of an ecelerity.conf security scope, then exec a command',
    '.SH SYNOPSIS',
    '.B secwrap',
    '[\\fIOPTION\\fR...] [\\fB\\-c\\fR \\fIFILE\\fR] [\\fB\\-\\-\\fR] \\fICOMMAND\\fR [\\fIARG\\fR...]',
    '.br',
    '.B secwrap check',
    '[\\fB\\-\\-syntax\\-only\\fR] [\\fB\\-\\-json\\fR] [\\fB\\-c\\fR] \\fIFILE\\fR',
    '.br',
    '.B secwrap explain',
    '[\\fB\\-c\\fR \\fIFILE\\fR] [\\fIOPTION\\fR...] [\\fB\\-\\-json\\fR | \\fB\\-\\-format\\fR \\fBtext\\fR|\\fBjson\\fR|\\fBdocker\\fR|\\fBk8s\\fR] [\\fB\\-\\-\\fR \\fICOMMAND\\fR...]',
    '.br',
    '.B secwrap caps',
    '[\\fB\\-\\-json\\fR] [\\fB\\-\\-\\fR] \\fITEXT\\fR...',
    '.br',
    '.B secwrap completion',
    '.SH DESCRIPTION',
    '.B secwrap',
    'is a privilege\\-dropping exec wrapper.',
    'Run as root, it reads the',
    '.B security',
    'scope of a Momentum (ecelerity)',
    '.I ecelerity.conf',
    '(or flags alone) and works out a plan.',
    'It then chroots, sets the supplementary groups, the gid and the uid, shrinks the capability',
    'bounding set, and sets the inheritable and ambient sets so that the command keeps exactly the',
    'capabilities listed.',
    'It reads the resulting state back from',
    '.I /proc/self/status',
    'and compares it with the plan, then',
    '.BR execve (2)s',
    'the command in its own PID: no child process, no supervisor.',
    'The command gets only descriptors 0, 1 and 2 (plus those kept on purpose), default signal',
    'dispositions, an empty signal mask and the stdio flags the caller had.',
    '.PP',
    'Flags override the file option by option, and work without a file at all.',
    "Parsing stops at the command's name, so options after it belong to the command;",
    '.B \\-\\-',
    'is still the safe way to write it.',
    '.SS Commands',
    '.TP',
    '.B check',
    'Validate a config file: the language, the',
    '.B security',
    "scope's value shapes, the capability text, the Solaris privileges and the chroot path.",
    'Exit 0 valid, 1 invalid, 2 usage.',
    '.TP',
    '.B explain',
    'Print the plan without touching anything; as',
    '.B docker run',
    'flags with',
    '.BR "\\-\\-format docker" ,',
    'as a Kubernetes',
    '.B securityContext',
    'with',
    '.BR "\\-\\-format k8s" .',
    '.TP',
    '.B caps',
    'Read libcap capability text: one line per',
    '.IR TEXT .',
    'Exit 1 if any is invalid.',
    '.TP',
    '.B completion',
    'Print a bash completion script.',
    '.SH OPTIONS',
    ...optionsSection(options),
    '.SH CONFIGURATION',
    'With',
    '.BR \\-c ,',
    'secwrap applies the',
    '.B security',
    'scope of the file (includes followed).',
    'The scope is valid only at the global level; its option names ignore case, and any other',
    'option is an error.',
    '.TP',
    '.B user',
    'A user name or uid.',
    'Without a',
    '.BR group ,',
    'a user given by flag takes its primary group from passwd.',
    '.TP',
    '.B group',
    'A group name or gid.',
    '.TP',
    '.B supplemental_groups',
    'An array of group names or gids: exactly these supplementary groups.',
    'Without it a user gets the groups of',
    '.BR initgroups (3).',
    '.TP',
    '.B chroot',
    'An absolute path to chroot into.',
    'It and every component of its real path must be root\\-owned directories that group and',
    'others cannot write.',
    '.TP',
    '.B capabilities',
    'Capabilities to keep, in libcap',
    '.BR cap_from_text (3)',
    'syntax, for example',
    '.BR "cap_net_bind_service+ep" .',
    'Without it, capabilities are not touched: a non\\-root command ends with none.',
    '.TP',
    '.B privileges',
    'The Solaris privilege set; never applied on Linux, but read and explained.',
    '.PP',
    "Momentum's defaults apply to a config run: where neither the file nor a flag sets",
    '.B user',
    'or',
    '.BR group ,',
    'it is',
    '.BR ecuser ,',
    'so',
    '.B "secwrap \\-c FILE"',
    'never keeps root by omission; running as root takes an explicit',
    '.B "user = root"',
    'or',
    '.BR "\\-u root" .',
    'A run with flags alone has no such default.',
    '.SH EXIT STATUS',
    '.TP',
    '.B 125',
    'secwrap itself failed: a bad or missing config, an unknown user, group or capability, a',
    'missing privilege, a failed call or check, an untrusted config or jail, a usage error on the',
    'run path, an install with the setuid or setgid bit.',
    'The command did not run.',
    '.TP',
    '.B 126',
    'The command was found but could not be executed.',
    '.TP',
    '.B 127',
    'The command was not found.',
    '.PP',
    "Otherwise the exit status is the command's own: secwrap has become the command.",
    '.B check',
    'exits 0, 1 or 2 and',
    '.B caps',
    '0 or 1, as described above.',
    '.SH ENVIRONMENT',
    'By default',
    '.BR HOME ,',
    '.B USER',
    'and',
    '.B LOGNAME',
    "are set from the command's passwd entry and everything else passes through unchanged.",
    '.B \\-\\-keep\\-env',
    'touches nothing;',
    '.B \\-\\-reset\\-env',
    'keeps only',
    '.B TERM',
    'and sets',
    '.BR PATH ,',
    '.BR HOME ,',
    '.BR USER ,',
    '.B LOGNAME',
    'and',
    '.BR SHELL .',
    '.PP',
    '.BR NODE_OPTIONS ,',
    '.B OPENSSL_CONF',
    'and the other',
    '.B NODE_*',
    'variables do not change secwrap itself (no preload, no OpenSSL provider, no compile',
    'cache); they still reach the command.',
    '.B LISTEN_FDS',
    'and',
    '.B LISTEN_PID',
    '(systemd socket activation) keep their descriptors when',
    '.B LISTEN_PID',
    "is secwrap's PID.",
    '.SH FILES',
    '.TP',
    '.I /etc/ecelerity/ecelerity.conf',
    'The usual Momentum configuration; pass it with',
    '.BR \\-c .',
    'As root, it and every file it includes must be owned by root and not writable by group or',
    'others.',
    '.TP',
    '.I /proc/self/status',
    'Read back after the drop to verify the result.',
    '.TP',
    '.IR /dev/shm ", " /run ", " /tmp ", " /var/tmp',
    'Tried in this order for an unnamed',
    '.RB ( O_TMPFILE )',
    'copy of the embedded native addon; nothing is left behind.',
    '.SH SECURITY',
    "secwrap trusts root\\-owned configuration, a root\\-owned jail, the host's user database",
    '(through libc and NSS, read before the chroot) and the kernel.',
    'It refuses to run with the setuid or setgid bit, and at',
    '.B AT_SECURE',
    'starts.',
    'Every step is checked; on any failure it exits 125 with one line on stderr and the command',
    'never runs.',
    'It does not defend against a root caller who wants otherwise, a malicious NSS module or',
    'kernel, or what the command does with the capabilities it keeps.',
    'Use',
    '.B \\-\\-new\\-session',
    'when the terminal is shared (TIOCSTI injection).',
    '.SH EXAMPLES',
    "Apply the security scope of Momentum's configuration:",
    '.PP',
    '.RS',
    '.EX',
    'secwrap \\-c /etc/ecelerity/ecelerity.conf \\-\\- ecelerity',
    '.EE',
    '.RE',
    '.PP',
    'Without a file, as setpriv or gosu would:',
    '.PP',
    '.RS',
    '.EX',
    'secwrap \\-u nobody \\-\\-caps cap_net_bind_service+ep \\-\\- nginx',
    '.EE',
    '.RE',
    '.PP',
    'The capabilities a container needs for that drop:',
    '.PP',
    '.RS',
    '.EX',
    'secwrap explain \\-\\-format docker \\-c /etc/ecelerity/ecelerity.conf',
    '.EE',
    '.RE',
    '.SH SEE ALSO',
    '.BR setpriv (1),',
    '.BR capsh (1),',
    '.BR chroot (8),',
    '.BR capabilities (7),',
    '.BR cap_from_text (3),',
    '.BR initgroups (3)',
  );
  return `${L.join('\n')}\n`;
}

/** The page for this checkout: version from package.json, options from cmd/options.ts. */
export async function renderManPage() {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return manPage({ version, epoch: sourceDateEpoch(), options: await dropOptions() });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const i = process.argv.indexOf('--out');
  const out = resolve(i > 0 ? (process.argv[i + 1] ?? '') : join(root, 'dist/secwrap.1'));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(`${out}.tmp`, await renderManPage());
  renameSync(`${out}.tmp`, out);
  process.stdout.write(`${out}\n`);
}
