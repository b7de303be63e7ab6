/**
 * exec: glibc's execvp in this PID, after the drop and inside the chroot: the PATH search uses
 * the command's own PATH (the environment as the hand-off left it), a file without a recognised
 * format runs with /bin/sh, and `environ` is passed on untouched. Returns only on failure, as a
 * SecwrapError with 126 or 127.
 */
import { accessSync, constants as fsConstants } from 'node:fs';
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
  if (file === undefined || file === '')
    throw new SecwrapError('no command given (secwrap [options] -- COMMAND [ARG...])');
  throw failure(file, libc.execvp(argv));
}

function failure(file: string, errno: number): SecwrapError {
  const notFound = errno === libc.ENOENT || errno === libc.ENOTDIR;
  const searched = !file.includes('/');
  const path = process.env.PATH ?? DEFAULT_SEARCH_PATH;
  const shownPath = quoteInput(path, 512);
  // After the drop a PATH directory the target user cannot search hides the command (glibc's
  // execvp then reports EACCES, or ENOENT when it was not there anyway): name it.
  const blocked = searched && (notFound || errno === libc.EACCES) ? unsearchable(path) : [];
  const hint = blocked.length
    ? `; uid ${process.getuid?.() ?? '?'} (the user it runs as now) cannot search ${blocked.map((d) => quoteInput(d)).join(', ')}: ` +
      `make ${blocked.length > 1 ? 'them' : 'it'} searchable (chmod o+x) or set PATH without ${blocked.length > 1 ? 'them' : 'it'}`
    : '';
  if (notFound && searched) {
    return new SecwrapError(
      `${quoteInput(file)}: command not found (PATH=${shownPath})${hint}`,
      EXIT_NOT_FOUND,
    );
  }
  const why = new libc.LibcError('execvp', errno).message.replace(/^execvp failed: /, '');
  return new SecwrapError(
    `cannot execute ${quoteInput(file)}: ${why}${blocked.length ? ` (PATH=${shownPath})` : ''}${hint}`,
    notFound ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE,
  );
}

/** The directories of PATH that this process may not search (access X_OK fails with EACCES). */
function unsearchable(path: string): string[] {
  const out: string[] = [];
  for (const dir of path.split(':')) {
    try {
      accessSync(dir === '' ? '.' : dir, fsConstants.X_OK);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EACCES')
        out.push(dir === '' ? '. (the empty PATH entry)' : dir);
    }
  }
  return out;
}
