/**
 * Which label-based LSMs are running, asked the way util-linux setpriv asks (the LSM's own file
 * system), plus the module parameter for AppArmor, because securityfs is often not mounted in a
 * container or a minimal guest.
 */
import { existsSync, readFileSync } from 'node:fs';

export function lsmRunning(lsm: 'apparmor' | 'selinux'): boolean {
  if (lsm === 'selinux') return existsSync('/sys/fs/selinux');
  if (existsSync('/sys/kernel/security/apparmor')) return true;
  try {
    return readFileSync('/sys/module/apparmor/parameters/enabled', 'latin1').startsWith('Y');
  } catch {
    return false;
  }
}
