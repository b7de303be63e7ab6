/**
 * exec: execvp semantics (PATH search with the command's own PATH, after the drop and inside the
 * chroot), execve in this PID. Returns only on failure, as a SecwrapError with 126 or 127.
 */
import { EXIT_CANNOT_EXECUTE, EXIT_NOT_FOUND, SecwrapError } from '../errors.js';
import * as libc from '../libc/libc.js';

/** glibc's execvp default when PATH is unset. */
export const DEFAULT_SEARCH_PATH = '/bin:/usr/bin';

function envValue(envp: readonly string[], name: string): string | undefined {
  const p = `${name}=`;
  const hit = envp.find((e) => e.startsWith(p));
  return hit?.slice(p.length);
}

/** Errors after which execvp tries the next PATH entry. */
const TRY_NEXT = new Set([2 /* ENOENT */, 20 /* ENOTDIR */, 116 /* ESTALE */, 19 /* ENODEV */, 110 /* ETIMEDOUT */]);

function tryExec(path: string, argv: readonly string[], envp: readonly string[]): number {
  const e = libc.execve(path, argv, envp);
  if (e !== libc.ENOEXEC) return e;
  // execvp runs a file without a recognised format with /bin/sh, as glibc does.
  return libc.execve('/bin/sh', ['sh', path, ...argv.slice(1)], envp);
}

export function execCommand(argv: readonly string[], envp: readonly string[]): never {
  const file = argv[0];
  if (file === undefined || file === '') throw new SecwrapError('no command given (secwrap [options] -- COMMAND [ARG...])');
  if (file.includes('/')) {
    const e = tryExec(file, argv, envp);
    throw failure(file, e);
  }
  const search = envValue(envp, 'PATH') ?? DEFAULT_SEARCH_PATH;
  let sawEacces = false;
  for (const dir of search.split(':')) {
    const candidate = `${dir === '' ? '.' : dir}/${file}`;
    const e = tryExec(candidate, argv, envp);
    if (e === libc.EACCES) {
      sawEacces = true;
      continue;
    }
    if (TRY_NEXT.has(e)) continue;
    throw failure(candidate, e);
  }
  if (sawEacces) throw failure(file, libc.EACCES);
  throw new SecwrapError(`${file}: command not found (PATH=${search})`, EXIT_NOT_FOUND);
}

function failure(what: string, errno: number): SecwrapError {
  const code = errno === libc.ENOENT || errno === libc.ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE;
  return new SecwrapError(`cannot execute ${what}: ${new libc.LibcError('execve', errno).message.replace(/^execve failed: /, '')}`, code);
}
