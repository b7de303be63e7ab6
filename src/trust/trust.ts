/**
 * Trust: when secwrap runs as root, only root may steer it. Every configuration file and folder
 * it reads must be root-owned and not writable by group or others (as sudo checks sudoers), checked
 * on the descriptor actually opened (fstat), so a symlink swapped after a path check cannot slip
 * through. A chroot directory and every component of its path must be root-owned directories not
 * writable by group or others (OpenSSH's ChrootDirectory rule). There is no switch to turn this off.
 */
import { fstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { SecwrapError } from '../errors.js';

/** Trust is enforced when secwrap runs with root's effective uid. */
export function enforcing(): boolean {
  return process.geteuid?.() === 0;
}

const mode = (st: Stats): string => '0' + (st.mode & 0o7777).toString(8).padStart(3, '0');

function problem(st: Stats): string | null {
  const bad: string[] = [];
  if (st.uid !== 0) bad.push(`owned by uid ${st.uid} (must be root)`);
  if ((st.mode & 0o022) !== 0) bad.push(`mode ${mode(st)} (must not be writable by group or others)`);
  return bad.length ? bad.join(', ') : null;
}

/** The config loader's onOpen hook: refuse an untrusted file or folder (exit 125). */
export function checkConfigDescriptor(fd: number, path: string, kind: 'file' | 'dir'): void {
  if (!enforcing()) return;
  const p = problem(fstatSync(fd));
  if (p) throw new SecwrapError(`untrusted config ${kind === 'dir' ? 'folder' : 'file'} ${path}: ${p}; secwrap runs as root and obeys it`);
}

/** Check a chroot directory by sshd's rule; returns the resolved path secwrap chroots into. */
export function checkChrootPath(dir: string): string {
  let real: string;
  try {
    real = realpathSync(dir);
  } catch (e) {
    throw new SecwrapError(`chroot "${dir}": ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (e as Error).message}`);
  }
  const parts = real.split('/').filter(Boolean);
  for (let i = 0; i <= parts.length; i++) {
    const comp = '/' + parts.slice(0, i).join('/');
    const st = statSync(comp);
    if (!st.isDirectory()) throw new SecwrapError(`chroot "${dir}": ${comp} is not a directory`);
    if (!enforcing()) continue;
    const p = problem(st);
    if (p) throw new SecwrapError(`chroot "${dir}": path component ${comp} is ${p}; a user who can write there controls what runs as root`);
  }
  return real;
}
