/**
 * The LSM label the command is to run under, written to /proc/self/attr/exec as util-linux
 * setpriv writes it: `exec PROFILE` for AppArmor, the bare context for SELinux. The kernel
 * applies it at the next execve; a write the LSM refuses (no such profile, a transition policy
 * forbids) fails here, before the command runs.
 */
import { closeSync, openSync, writeSync, constants as fsc } from 'node:fs';
import { SecwrapError } from '../errors.js';

const ATTR_EXEC = '/proc/self/attr/exec';

export function writeExecLabel(lsm: 'apparmor' | 'selinux', label: string): void {
  const option = lsm === 'apparmor' ? '--apparmor-profile' : '--selinux-label';
  const data = Buffer.from(lsm === 'apparmor' ? `exec ${label}` : label, 'utf8');
  let fd: number;
  try {
    fd = openSync(ATTR_EXEC, fsc.O_WRONLY);
  } catch (e) {
    throw new SecwrapError(
      `${option} ${label}: cannot open ${ATTR_EXEC} (${(e as NodeJS.ErrnoException).code})`,
    );
  }
  try {
    const n = writeSync(fd, data);
    if (n !== data.length)
      throw new SecwrapError(`${option} ${label}: short write to ${ATTR_EXEC}`);
  } catch (e) {
    if (e instanceof SecwrapError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const hint =
      code === 'ENOENT'
        ? ': no such profile is loaded'
        : code === 'EINVAL'
          ? ': the kernel does not accept this label (is that LSM the active one?)'
          : '';
    throw new SecwrapError(`${option} ${label}: the kernel refused the label (${code})${hint}`);
  } finally {
    closeSync(fd);
  }
}
