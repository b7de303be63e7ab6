/**
 * gosu mode: secwrap started under the name `gosu` (a symlink /usr/local/bin/gosu -> secwrap)
 * takes gosu's command line, `gosu USER-SPEC COMMAND [ARG...]`, and gosu's reading of USER-SPEC
 * (src/identity/userspec.ts), with secwrap's resolution through NSS, verification and clean
 * hand-off. docs/drop-in.md lists the deliberate differences (exit codes first).
 *
 * On the fast path like the run line: no yargs, no RegExp.
 */
import { runSpec } from './commands.js';
import { die } from './die.js';
import { writeAll } from './output.js';
import { EXIT_FAILURE, SecwrapError } from '../src/errors.js';
import { setIdInstall } from '../src/trust/privilege.js';

function usage(self: string, version: string): string {
  return (
    `Usage: ${self} user-spec command [args]\n` +
    `   eg: ${self} tianon bash\n` +
    `       ${self} nobody:root bash -c 'whoami && id'\n` +
    `       ${self} 1000:1 id\n` +
    '\n' +
    `${self} is secwrap in gosu-compatible mode: USER-SPEC is user, user:group, uid, uid:gid, :group, user: or "".\n` +
    'Exit codes: 125 secwrap failed (usage, unknown user or group, a failed or unverified drop), 126 the\n' +
    "command cannot be run, 127 not found; otherwise the command's own. See docs/drop-in.md.\n" +
    '\n' +
    `${self} version: ${gosuVersion(version)}\n` +
    `${self} license: Apache-2.0 (secwrap)\n`
  );
}

function gosuVersion(version: string): string {
  return `secwrap ${version} (gosu-compatible mode; node ${process.version} on ${process.platform}/${process.arch})`;
}

/** `self`: the name it was started as (gosu prints its basename). `args`: what follows it. */
export function gosuMain(self: string, args: readonly string[], version: string): never {
  const bit = setIdInstall();
  if (bit) {
    throw new SecwrapError(
      `${self} appears to be installed with the '${bit}' bit set, which is refused (as gosu refuses it): ` +
        `chmod u-s,g-s the executable; a non-root caller should use sudo or su`,
    );
  }
  const first = args[0];
  if (first === '--help' || first === '-h' || first === '-?') {
    writeAll(1, usage(self, version));
    process.exit(0);
  }
  if (first === '--version' || first === '-v') {
    writeAll(1, gosuVersion(version) + '\n');
    process.exit(0);
  }
  if (args.length < 2)
    die(`usage: ${self} user-spec command [args] (${self} --help)`, EXIT_FAILURE);
  runSpec('gosu', args[0]!, args.slice(1));
}
