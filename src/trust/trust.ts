/**
 * Trust: when secwrap is privileged (./privilege.ts), only root may steer it. Every config file
 * and folder it reads, and the jail it chroots into, must pass the path rule (./path.ts) for the
 * path as given; the descriptor then opened must be the inode the walk ended at. There is no
 * switch to turn this off. Unprivileged, nothing runs with more privilege than the caller has,
 * so paths are opened as given (still byte-exact).
 */
import { closeSync, constants as fsc, fstatSync, openSync, realpathSync, statSync } from 'node:fs';
import { SecwrapError } from '../errors.js';
import { walkTrusted } from './path.js';

/**
 * Node decodes argv as UTF-8 and turns bytes that are not UTF-8 into U+FFFD; opening the
 * re-encoded string would open another file (a config named with byte 0xe9 was read from the
 * file named by the UTF-8 of U+FFFD). Such a path cannot be opened exactly here: refuse it.
 */
export function exactPath(what: string, p: string): void {
  if (p.includes('\uFFFD')) {
    throw new SecwrapError(
      `${what} ${JSON.stringify(p)} is not valid UTF-8 (or contains U+FFFD): secwrap would open another file than the one named; refused`,
    );
  }
  if (p.includes('\0')) throw new SecwrapError(`${what} contains a NUL byte: refused`);
}

/**
 * The config loader's opener (LoadOptions.open): every config file and folder, main, included
 * or listed in an included folder. Enforcing: the walk, then open the walked real path with
 * O_NOFOLLOW and require the very inode the walk checked.
 */
export function configOpener(enforce: boolean): (path: string, flags: number) => number {
  return (path, flags) => {
    exactPath('config path', path);
    if (!enforce) return openSync(path, flags);
    const walked = walkTrusted(path, 'config');
    const fd = openSync(walked.real, flags | fsc.O_NOFOLLOW);
    try {
      const st = fstatSync(fd);
      if (st.dev !== walked.st.dev || st.ino !== walked.st.ino) {
        throw new SecwrapError(
          `config path ${path}: ${walked.real} changed while it was checked; refused`,
        );
      }
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    return fd;
  };
}

/**
 * Check a chroot directory by the path rule (enforcing) or for existence (not); returns the real
 * path secwrap chroots into.
 */
export function checkChrootPath(dir: string, enforce: boolean): string {
  exactPath('chroot', dir);
  if (enforce) {
    const walked = walkTrusted(dir, 'chroot');
    if (!walked.st.isDirectory())
      throw new SecwrapError(`chroot "${dir}": ${walked.real} is not a directory`);
    return walked.real;
  }
  let real: string;
  try {
    real = realpathSync(dir);
  } catch (e) {
    throw new SecwrapError(
      `chroot "${dir}": ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (e as Error).message}`,
    );
  }
  if (!statSync(real).isDirectory())
    throw new SecwrapError(`chroot "${dir}": ${real} is not a directory`);
  return real;
}
