/**
 * The path rule: what root obeys must be root's all the way down.
 *
 * A config, an include or a jail is trusted only when every step of the path *as given* is: each
 * directory on the way is owned by root and not writable by group or others, each symlink
 * followed is owned by root, and the symlink's target is walked by the same rule from the
 * directory holding the symlink (sshd's StrictModes and sudo's sudoers checks do the same for
 * their files). Checking only the final file let a user who owns any directory on the way swap
 * the file for a symlink to another root-owned file (`/etc/environment` has no security scope, so
 * the command ran as full root); resolving the path first and checking the real one (realpath)
 * misses the symlinks themselves, which live in the user's directory.
 *
 * Parents are checked before children, so once a directory is trusted, nobody but root can
 * rename, replace or add its entries; the walk is therefore not racy, and the descriptor opened
 * at the end is compared with the walk's last inode (trust.ts).
 *
 * One exception: the write bits of a directory or file on a read-only mount (statvfs ST_RDONLY)
 * do not count, since nobody can write there. A Kubernetes configMap volume is a 0777 root-owned
 * directory mounted read-only. Ownership still counts everywhere: a read-only bind mount of a
 * user's directory is still writable by that user through the writable original.
 */
import { lstatSync, readlinkSync, type Stats } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { SecwrapError } from '../errors.js';
import { mountedReadOnly } from '../libc/libc.js';

/** What a walked path names: a config file or folder (include), or a jail. */
export type PathKind = 'config' | 'chroot';

/** The kernel's limit on symlinks followed in one lookup (MAXSYMLINKS). */
const MAX_SYMLINKS = 40;

export interface Walked {
  /** The path with every symlink resolved (what was walked to). */
  readonly real: string;
  /** lstat of the last component (never a symlink). */
  readonly st: Stats;
}

/** An error the loader treats like the open(2) error it stands for (ENOENT: try the next place). */
export class PathError extends SecwrapError {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export const modeText = (st: Stats): string => (st.mode & 0o7777).toString(8).padStart(4, '0');

/** Why `st` may not steer root, or null when it may. `path` is its real path (for statvfs). */
export function untrusted(st: Stats, path: string): string | null {
  if (st.uid !== 0) return `is owned by uid ${st.uid} with mode ${modeText(st)}`;
  if (!st.isSymbolicLink() && (st.mode & 0o022) !== 0 && !mountedReadOnly(path)) {
    return `is owned by root with mode ${modeText(st)}, writable by ${(st.mode & 0o020) !== 0 ? 'group' : 'others'}${(st.mode & 0o022) === 0o022 ? ' and others' : ''} on a writable mount`;
  }
  return null;
}

function fixFor(st: Stats, comp: string): string {
  if (st.isSymbolicLink())
    return `fix: replace it with a symlink made by root (ln -sfn as root), or name the target itself`;
  if (st.isDirectory() && (st.mode & 0o1000) !== 0)
    return `fix: move it out of the shared folder ${comp} into one only root can write (e.g. /etc/ecelerity)`;
  const docker = st.isDirectory() ? '' : ', or COPY --chmod=0644 in a Dockerfile';
  return `fix: chown root:root '${comp}' && chmod go-w '${comp}'${docker}`;
}

function refuse(
  kind: PathKind,
  given: string,
  comp: string,
  st: Stats,
  why: string,
  last: boolean,
): never {
  const role = st.isSymbolicLink() ? 'symlink ' : last ? '' : 'path component ';
  const what =
    kind === 'chroot'
      ? 'chroot'
      : !last || st.isSymbolicLink()
        ? 'config path'
        : st.isDirectory()
          ? 'config folder'
          : 'config file';
  throw new SecwrapError(
    `untrusted ${what} ${given}: ${role}${comp} ${why} (it must be owned by root and not writable by group or others: ` +
      `whoever can change it decides what runs as root); ${fixFor(st, comp)}`,
  );
}

function splitPath(p: string): string[] {
  return p.split('/').filter((c) => c !== '' && c !== '.');
}

function readlinkExact(p: string): string {
  const raw = readlinkSync(p, { encoding: 'buffer' });
  if (!isUtf8(raw))
    throw new SecwrapError(`symlink ${p} points at a name that is not valid UTF-8: refused`);
  return raw.toString('utf8');
}

/**
 * Walk `given` (absolute, or relative to the working directory, whose own path is walked too)
 * component by component, following symlinks by hand, and refuse the first untrusted step.
 * Throws PathError with the errno code when a component is missing or not a directory.
 */
export function walkTrusted(given: string, kind: PathKind): Walked {
  const pending = splitPath(given.startsWith('/') ? given : `${process.cwd()}/${given}`).reverse();
  let cur = '/';
  let st = lstatSync('/');
  let why = untrusted(st, '/');
  if (why) refuse(kind, given, '/', st, why, pending.length === 0);
  let links = 0;
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (name === '..') {
      cur = cur.slice(0, cur.lastIndexOf('/')) || '/';
      st = lstatSync(cur);
      continue;
    }
    if (!st.isDirectory())
      throw new PathError(`${kind} ${given}: ${cur} is not a directory`, 'ENOTDIR');
    const next = cur === '/' ? `/${name}` : `${cur}/${name}`;
    let nst: Stats;
    try {
      nst = lstatSync(next);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
      throw new PathError(
        `${kind} ${given}: ${next}: ${code === 'ENOENT' ? 'no such file or directory' : code}`,
        code,
      );
    }
    why = untrusted(nst, next);
    if (why) refuse(kind, given, next, nst, why, pending.length === 0);
    if (nst.isSymbolicLink()) {
      if (++links > MAX_SYMLINKS)
        throw new PathError(`${kind} ${given}: too many levels of symbolic links`, 'ELOOP');
      const target = readlinkExact(next);
      if (target.startsWith('/')) {
        cur = '/';
        st = lstatSync('/');
      }
      pending.push(...splitPath(target).reverse());
      continue;
    }
    cur = next;
    st = nst;
  }
  return { real: cur, st };
}
