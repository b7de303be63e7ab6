/**
 * Who is privileged, as the kernel sees it.
 *
 * 1. A start the kernel marked AT_SECURE (setuid or setgid bit, file capabilities, an LSM
 *    transition) is refused outright, for every subcommand, before anything else is read: such a
 *    copy runs with more privilege than its caller, who then chooses the config, the flags and the
 *    command. `check --json /etc/shadow` from a setuid copy printed root's hash in its error text.
 *    Comparing real and effective ids alone misses file capabilities (`setcap
 *    cap_setuid,cap_setgid+ep`): the ids are the caller's, the capabilities are not. The kernel
 *    says which starts are secure in the auxiliary vector, which /proc/self/auxv lists (readable
 *    by the process itself in every one of these cases; glibc's getauxval reads the same vector).
 * 2. Trust is enforced whenever secwrap holds any capability, effective or permitted, not only as
 *    uid 0: a caller with CAP_SETUID in its ambient set can make secwrap become anyone, so what
 *    steers it must be root's.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { SecwrapError } from '../errors.js';

/** AT_SECURE in <elf.h>: the kernel's "this start gained privilege" flag. */
const AT_SECURE = 23n;
const AT_NULL = 0n;

/**
 * The value of AT_SECURE in an auxiliary vector (pairs of native-endian 64-bit words, ending with
 * AT_NULL), or undefined when the vector does not carry it.
 */
export function atSecure(auxv: Buffer): bigint | undefined {
  for (let off = 0; off + 16 <= auxv.length; off += 16) {
    const type = auxv.readBigUInt64LE(off);
    if (type === AT_NULL) return undefined;
    if (type === AT_SECURE) return auxv.readBigUInt64LE(off + 8);
  }
  return undefined;
}

function readAuxv(): Buffer {
  const fd = openSync('/proc/self/auxv', 'r');
  try {
    const buf = Buffer.alloc(4096); // the vector has a few dozen entries of 16 bytes
    let n = 0;
    for (let got = -1; got !== 0 && n < buf.length; n += got)
      got = readSync(fd, buf, n, buf.length - n, null);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

const SECURE_START =
  'refusing to run setuid, setgid or with file capabilities (the kernel set AT_SECURE): its caller would steer a ' +
  'privileged process; install it without them (chmod u-s,g-s; setcap -r) and start it as root';

/** Refuse a start with AT_SECURE set, or one where it cannot be told (fail closed). */
export function refuseSecureStart(): void {
  // Real and effective ids that differ are a setuid or setgid start, no need to ask further
  // (and a setgid start to a non-root user cannot read its own auxv: the kernel made it
  // non-dumpable, so /proc/self/auxv is root's).
  if (process.getuid!() !== process.geteuid!() || process.getgid!() !== process.getegid!())
    throw new SecwrapError(SECURE_START);
  let auxv: Buffer;
  try {
    auxv = readAuxv();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SecwrapError(
      `cannot tell whether secwrap was started setuid, setgid or with file capabilities` +
        `${code === 'ENOENT' ? ': /proc is not mounted' : ''} (/proc/self/auxv: ${code ?? String(e)})`,
    );
  }
  const secure = atSecure(auxv);
  if (secure === undefined)
    throw new SecwrapError(
      'cannot tell whether secwrap was started setuid: /proc/self/auxv has no AT_SECURE entry',
    );
  if (secure !== 0n) throw new SecwrapError(SECURE_START);
}

/** The part of the process state the decision needs (ProcState has it). */
export interface Credentials {
  readonly uid: readonly number[]; // real, effective, saved, filesystem
  readonly effective: bigint;
  readonly permitted: bigint;
}

/**
 * Trust is enforced when any of the uids is 0 (a saved uid 0 can be taken back) and whenever
 * secwrap holds any capability at all.
 */
export function mustEnforceTrust(c: Credentials): boolean {
  return c.uid.some((u) => u === 0) || c.effective !== 0n || c.permitted !== 0n;
}

/**
 * gosu's refusal of setuid installs: the executable file itself (/proc/self/exe) with the setuid
 * or setgid bit is a broken install whoever starts it (a root start of a setuid copy is not
 * AT_SECURE, so the check above does not see it). Returns the bit found, or null.
 */
export function setIdInstall(): 'setuid' | 'setgid' | null {
  let mode: number;
  try {
    mode = statSync('/proc/self/exe').mode;
  } catch (e) {
    throw new SecwrapError(
      `cannot check the executable's mode (/proc/self/exe): ${(e as Error).message} (is /proc mounted?)`,
    );
  }
  return mode & 0o4000 ? 'setuid' : mode & 0o2000 ? 'setgid' : null;
}
