/**
 * su-exec mode: secwrap started under the name `su-exec` takes su-exec's command line,
 * `su-exec USER-SPEC COMMAND [ARG...]`, and su-exec's reading of USER-SPEC
 * (src/identity/userspec.ts), with secwrap's resolution through NSS, verification and clean
 * hand-off. The one required difference: a user part that names nobody is an error, never a
 * silent uid. docs/drop-in.md lists every difference.
 *
 * On the fast path like the run line: no yargs, no RegExp.
 */
import { runSpec } from './commands.js';
import { die } from './die.js';
import { writeAll } from './output.js';
import { EXIT_FAILURE, SecwrapError } from '../src/errors.js';
import { setIdInstall } from '../src/trust/privilege.js';

const usage = (self: string): string => `Usage: ${self} user-spec command [args]\n`;

export function suExecMain(self: string, args: readonly string[]): never {
  const bit = setIdInstall();
  if (bit)
    throw new SecwrapError(
      `${self} is installed with the '${bit}' bit set, which is refused: chmod u-s,g-s the executable`,
    );
  // su-exec prints its usage on stdout and exits 0 when given fewer than two arguments. That
  // stays for no argument (and -h/--help); a USER-SPEC without a command is a usage error here
  // (`exec su-exec "$USER" "$@"` with an empty "$@" must not look like success).
  if (args.length === 0 || (args.length === 1 && (args[0] === '-h' || args[0] === '--help'))) {
    writeAll(1, usage(self));
    process.exit(0);
  }
  if (args.length < 2) die(`usage: ${self} user-spec command [args]`, EXIT_FAILURE);
  runSpec('su-exec', args[0]!, args.slice(1));
}
