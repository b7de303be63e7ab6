/**
 * exec: glibc's execvp in this PID, after the drop and inside the chroot: the PATH search uses
 * the command's own PATH (the environment as the hand-off left it), a file without a recognised
 * format runs with /bin/sh, and `environ` is passed on untouched. Returns only on failure, as a
 * SecwrapError with 126 or 127.
 */
import { EXIT_CANNOT_EXECUTE, EXIT_NOT_FOUND, SecwrapError, quoteInput } from '../errors.js';
import * as libc from '../libc/libc.js';

/** glibc's execvp default when PATH is unset. */
export const DEFAULT_SEARCH_PATH = '/bin:/usr/bin';

/**
 * `argv`: the command's arguments as raw bytes (./argv.ts); `shown`: the same as Node decoded them,
 * for messages.
 */
export function execCommand(argv: readonly Buffer[], shown: readonly string[]): never {
  const file = shown[0];
  if (file === undefined || file === '') throw new SecwrapError('no command given (secwrap [options] -- COMMAND [ARG...])');
  throw failure(file, libc.execvp(argv));
}

function failure(file: string, errno: number): SecwrapError {
  const notFound = errno === libc.ENOENT || errno === libc.ENOTDIR;
  if (notFound && !file.includes('/')) {
    return new SecwrapError(`${quoteInput(file)}: command not found (PATH=${quoteInput(process.env.PATH ?? DEFAULT_SEARCH_PATH, 512)})`, EXIT_NOT_FOUND);
  }
  const why = new libc.LibcError('execvp', errno).message.replace(/^execvp failed: /, '');
  return new SecwrapError(`cannot execute ${quoteInput(file)}: ${why}`, notFound ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE);
}
