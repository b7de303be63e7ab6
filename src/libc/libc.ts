/**
 * The libc boundary. Every call secwrap makes into the C library goes through this file, each as a
 * small typed wrapper that checks the result and turns a failure into a LibcError naming the call.
 *
 * Facts this file relies on (measured with ffi-rs 1.3.7 on Node 20 and 26):
 * - ffi-rs calls made without `runInNewThread` run synchronously on the main thread. Never use
 *   runInNewThread here: capset and prctl act on the calling thread only.
 * - errno is only meaningful when the call reported failure (ffi-rs' errnoCode is stale on success).
 * - Pointers are passed as 64-bit integers into memory we malloc ourselves and view through an
 *   external Buffer, so out-parameters and NULL-terminated arrays are exactly what C expects
 *   (ffi-rs' StringArray is not NULL-terminated).
 */
import { SecwrapError } from '../errors.js';
import {
  type ErrnoResult,
  LibcError,
  T,
  type TypeCode,
  assertNoNul,
  callInt,
  callRaw,
  withMemory,
} from './call.js';

export {
  LibcError,
  assertNoNul,
  errnoName,
  ENOENT,
  ENOTDIR,
  EACCES,
  EPERM,
  ERANGE,
  type CMemory,
} from './call.js';
export * from './nss.js';

// ---------------------------------------------------------------------------------------------
// Credentials.

/** The groups for an error's context: the first few and the count, not a list of 65,536. */
function groupsShown(gids: readonly number[]): string {
  if (gids.length === 0) return 'groups (none)';
  if (gids.length <= 16) return `groups ${gids.join(',')}`;
  return `groups ${gids.slice(0, 16).join(',')},… (${gids.length} in all)`;
}

export function setgroups(gids: readonly number[]): void {
  withMemory(Math.max(4, 4 * gids.length), (m) => {
    gids.forEach((g, i) => {
      m.view.writeUInt32LE(g, 4 * i);
    });
    callInt('setgroups', [T.I64, T.BigInt], [gids.length, m.addr], groupsShown(gids));
  });
}

export function setresgid(r: number, e: number, s: number): void {
  callInt('setresgid', [T.I32, T.I32, T.I32], [r | 0, e | 0, s | 0], `gid ${e}`);
}
export function setresuid(r: number, e: number, s: number): void {
  callInt('setresuid', [T.I32, T.I32, T.I32], [r | 0, e | 0, s | 0], `uid ${e}`);
}

// ---------------------------------------------------------------------------------------------
// Files, directories, sessions, signals.

export function chroot(path: string): void {
  assertNoNul('chroot path', path);
  callInt('chroot', [T.String], [path], path);
}
/** statvfs(3)'s ST_RDONLY bit of f_flag. */
const ST_RDONLY = 1n;
/** struct statvfs on 64-bit glibc: eleven 8-byte fields (f_flag the tenth), then spare ints. */
const STATVFS_SIZE = 112;
const STATVFS_FLAG_OFFSET = 72;

/** Whether the file system holding `path` is mounted read-only here (statvfs f_flag ST_RDONLY). */
export function mountedReadOnly(path: string): boolean {
  assertNoNul('path', path);
  return withMemory(STATVFS_SIZE, (m) => {
    callInt('statvfs', [T.String, T.BigInt], [path, m.addr], path);
    return (m.view.readBigUInt64LE(STATVFS_FLAG_OFFSET) & ST_RDONLY) !== 0n;
  });
}

export function chdir(path: string): void {
  assertNoNul('directory', path);
  callInt('chdir', [T.String], [path], path);
}

export const F_GETFD = 1;
export const F_SETFD = 2;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const FD_CLOEXEC = 1;

export function fcntl(fd: number, cmd: number, arg = 0): number {
  return callInt('fcntl', [T.I32, T.I32, T.I64], [fd, cmd, arg], `fd ${fd}`);
}

/** fcntl that reports EBADF as null (fd not open) instead of throwing. */
export function fcntlIfOpen(fd: number, cmd: number, arg = 0): number | null {
  const r = callRaw<number>('fcntl', T.I32, [T.I32, T.I32, T.I64], [fd, cmd, arg]);
  if (r.value === -1) {
    if (r.errnoCode === 9) return null;
    throw new LibcError('fcntl', r.errnoCode, `fd ${fd}`);
  }
  return r.value;
}

const CLOSE_RANGE_CLOEXEC = 4;

/**
 * Mark every descriptor from `first` up close-on-exec in one call (Linux 5.11, glibc 2.34).
 * Returns false where the kernel or libc lacks it (the caller falls back to one fcntl each).
 */
export function closeRangeCloexec(first: number): boolean {
  let r: ErrnoResult<number>;
  try {
    r = callRaw<number>(
      'close_range',
      T.I32,
      [T.I32, T.I32, T.I32],
      [first, -1, CLOSE_RANGE_CLOEXEC],
    );
  } catch {
    return false; // no such symbol in this libc
  }
  if (r.value === 0) return true;
  if (r.errnoCode === 22 /* EINVAL: flag unknown before 5.11 */ || r.errnoCode === 38 /* ENOSYS */)
    return false;
  throw new LibcError('close_range', r.errnoCode);
}

export function setsid(): { ok: true } | { ok: false; errno: number } {
  const r = callRaw<number>('setsid', T.I32, [], []);
  return r.value === -1 ? { ok: false, errno: r.errnoCode } : { ok: true };
}
export function getsid(): number {
  return callInt('getsid', [T.I32], [0]);
}
export function getpid(): number {
  return callInt('getpid', [], []);
}

/**
 * isatty(3): whether `fd` is a terminal. Here rather than node:tty, whose module graph (net,
 * stream) cost ≈ 3 ms of every start; ENOTTY and EBADF both mean "not a terminal".
 */
export function isatty(fd: number): boolean {
  return callRaw<number>('isatty', T.I32, [T.I32], [fd]).value === 1;
}

const TIOCNOTTY = 0x5422;
export function ioctlNoTty(fd: number): void {
  callInt('ioctl', [T.I32, T.I64, T.I64], [fd, TIOCNOTTY, 0], `TIOCNOTTY on fd ${fd}`);
}

export const SIG_IGN = 1n;
const SIGACTION_SIZE = 152; // glibc's struct sigaction on x86-64 and arm64 alike: handler first

/** The rt_sigaction system call's number: x86-64 13, arm64 (asm-generic) 134. */
const SYS_RT_SIGACTION = process.arch === 'arm64' ? 134 : 13;
/** The kernel's struct sigaction (handler, flags, restorer, mask): 32 bytes on both. */
const KERNEL_SIGACTION_SIZE = 32;
/** The kernel's sigset_t: 64 signals, 8 bytes. */
const KERNEL_SIGSET_SIZE = 8;

/**
 * Signal `sig` back to its default action, through the raw rt_sigaction system call. glibc's
 * sigaction refuses signals 32 and 33 (EINVAL: it keeps them for its threads), so a parent that
 * left them ignored (`hyperfine -N` does) made the reset fail; the kernel itself accepts every
 * signal but SIGKILL and SIGSTOP. All-zero memory is SIG_DFL, no flags, an empty mask.
 */
export function sigSetDefault(sig: number): void {
  withMemory(KERNEL_SIGACTION_SIZE, (m) => {
    const r = callRaw<number>(
      'syscall',
      T.I64,
      [T.I64, T.I64, T.BigInt, T.BigInt, T.I64],
      [SYS_RT_SIGACTION, sig, m.addr, 0n, KERNEL_SIGSET_SIZE],
    );
    if (Number(r.value) !== 0) throw new LibcError('rt_sigaction', r.errnoCode, `signal ${sig}`);
  });
}
export function sigSetIgnore(sig: number): void {
  withMemory(SIGACTION_SIZE, (m) => {
    m.view.writeBigUInt64LE(SIG_IGN, 0);
    callInt('sigaction', [T.I32, T.BigInt, T.BigInt], [sig, m.addr, 0n], `signal ${sig}`);
  });
}
/** Empty the calling thread's signal mask; returns the mask that was set before (as a bit mask). */
export function sigmaskClear(): bigint {
  return withMemory(256, (m) => {
    const SIG_SETMASK = 2;
    callInt('sigprocmask', [T.I32, T.BigInt, T.BigInt], [SIG_SETMASK, m.addr, m.addr + 128n]);
    return m.view.readBigUInt64LE(128);
  });
}

// ---------------------------------------------------------------------------------------------
// Capabilities: capset and the prctl family.

const LINUX_CAPABILITY_VERSION_3 = 0x20080522;

export interface CapSets {
  effective: bigint;
  permitted: bigint;
  inheritable: bigint;
}

export function capset(s: CapSets): void {
  withMemory(8 + 24, (m) => {
    m.view.writeUInt32LE(LINUX_CAPABILITY_VERSION_3, 0);
    m.view.writeInt32LE(0, 4);
    const put = (i: number, field: number, v: bigint): void => {
      m.view.writeUInt32LE(Number((v >> BigInt(32 * i)) & 0xffffffffn), 8 + 12 * i + 4 * field);
    };
    for (const i of [0, 1]) {
      put(i, 0, s.effective);
      put(i, 1, s.permitted);
      put(i, 2, s.inheritable);
    }
    callInt('capset', [T.BigInt, T.BigInt], [m.addr, m.addr + 8n]);
  });
}

export const PR_SET_KEEPCAPS = 8;
export const PR_CAPBSET_DROP = 24;
export const PR_SET_NO_NEW_PRIVS = 38;
export const PR_CAP_AMBIENT = 47;
export const PR_CAP_AMBIENT_RAISE = 2;
export const PR_CAP_AMBIENT_CLEAR_ALL = 4;

/** prctl with five long arguments (the variadic call works declared this way). */
export function prctl(option: number, a2 = 0, a3 = 0, a4 = 0, a5 = 0, context?: string): number {
  return callInt('prctl', [T.I32, T.I64, T.I64, T.I64, T.I64], [option, a2, a3, a4, a5], context);
}

/**
 * Drop one capability from the bounding set: prctl(PR_CAPBSET_DROP, cap), the two-argument call
 * of libcap's cap_drop_bound (the kernel reads no further argument for this option). Two
 * arguments instead of five make each of the ~40 calls ≈ 4 µs cheaper through ffi-rs.
 */
export function capbsetDrop(cap: number): void {
  callInt('prctl', [T.I32, T.I64], [PR_CAPBSET_DROP, cap], `capability ${cap}`);
}

// ---------------------------------------------------------------------------------------------
// The environment (the C library's own `environ`, which Node's process.env reads and writes).

/** setenv(name, value, 1). */
export function setenv(name: string, value: string): void {
  assertNoNul('environment variable name', name);
  assertNoNul(`environment variable ${name}`, value);
  if (name === '' || name.includes('='))
    throw new SecwrapError(`invalid environment variable name ${JSON.stringify(name)}`);
  callInt('setenv', [T.String, T.String, T.I32], [name, value, 1], name);
}

/** clearenv(3): the environment becomes empty. */
export function clearenv(): void {
  if (callRaw<number>('clearenv', T.I32, [], []).value !== 0)
    throw new LibcError('clearenv', 0, 'the environment could not be cleared');
}

// ---------------------------------------------------------------------------------------------
// execvp: the last call. Returns only on failure, with the errno.

/**
 * execvp(file, argv) with the arguments as raw bytes (each a Buffer without its terminating NUL):
 * glibc's PATH search with the environment as it is now (the command's own), its /bin/sh fallback
 * for a file without a recognised format, and this process's `environ` passed on untouched.
 * argv is one block: NULL-terminated pointer array, then the strings. Returns the errno when
 * execvp failed (the caller decides 126 or 127).
 */
export function execvp(argv: readonly Buffer[]): number {
  if (argv.length === 0) throw new SecwrapError('execvp: no command');
  argv.forEach((a, i) => {
    if (a.includes(0)) throw new SecwrapError(`argument ${i} contains a NUL byte: refused`);
  });
  const ptrBytes = 8 * (argv.length + 1);
  const total = ptrBytes + argv.reduce((n, b) => n + b.length + 1, 0);
  return withMemory(total, (m) => {
    let at = ptrBytes;
    argv.forEach((b, i) => {
      b.copy(m.view, at);
      m.view[at + b.length] = 0;
      m.view.writeBigUInt64LE(m.addr + BigInt(at), 8 * i);
      at += b.length + 1;
    });
    m.view.writeBigUInt64LE(0n, 8 * argv.length);
    return callRaw<number>(
      'execvp',
      T.I32,
      [T.BigInt, T.BigInt],
      [m.addr + BigInt(ptrBytes), m.addr],
    ).errnoCode;
  });
}

// ---------------------------------------------------------------------------------------------
// Process attributes: resource limits, umask, securebits, the parent-death signal.

/** RLIM_INFINITY: an unsigned 64-bit all-ones limit ("unlimited"). */
export const RLIM_INFINITY = 0xffffffffffffffffn;

export interface Rlimit {
  soft: bigint;
  hard: bigint;
}

/** prlimit(0, resource, NULL, &old): the calling process's limits. */
export function getrlimit(resource: number): Rlimit {
  return withMemory(16, (m) => {
    callInt(
      'prlimit',
      [T.I32, T.I32, T.BigInt, T.BigInt],
      [0, resource, 0n, m.addr],
      `resource ${resource}`,
    );
    return { soft: m.view.readBigUInt64LE(0), hard: m.view.readBigUInt64LE(8) };
  });
}

/** prlimit(0, resource, &new, NULL). Raising the hard limit needs CAP_SYS_RESOURCE. */
export function setrlimit(resource: number, soft: bigint, hard: bigint, context?: string): void {
  withMemory(16, (m) => {
    m.view.writeBigUInt64LE(soft, 0);
    m.view.writeBigUInt64LE(hard, 8);
    callInt('prlimit', [T.I32, T.I32, T.BigInt, T.BigInt], [0, resource, m.addr, 0n], context);
  });
}

/** umask(2): sets the mask, returns the previous one (it cannot fail). */
export function umask(mask: number): number {
  return callRaw<number>('umask', T.I32, [T.I32], [mask & 0o777]).value;
}

export const PR_SET_PDEATHSIG = 1;
export const PR_GET_PDEATHSIG = 2;
export const PR_GET_SECUREBITS = 27;
export const PR_SET_SECUREBITS = 28;

/** The calling thread's securebits (prctl(PR_GET_SECUREBITS)). */
export function getSecurebits(): number {
  return callInt('prctl', [T.I32, T.I64, T.I64, T.I64, T.I64], [PR_GET_SECUREBITS, 0, 0, 0, 0]);
}

/** The parent-death signal (0: none), through prctl(PR_GET_PDEATHSIG, &sig). */
export function getPdeathsig(): number {
  return withMemory(4, (m) => {
    callInt('prctl', [T.I32, T.BigInt, T.I64, T.I64, T.I64], [PR_GET_PDEATHSIG, m.addr, 0, 0, 0]);
    return m.view.readInt32LE(0);
  });
}

// ---------------------------------------------------------------------------------------------
// Landlock, through its raw system calls (glibc has no wrappers). The numbers are the same on
// x86-64 and arm64: Landlock came after the syscall tables were unified (444-446 everywhere).

const SYS_LANDLOCK_CREATE_RULESET = 444;
const SYS_LANDLOCK_ADD_RULE = 445;
const SYS_LANDLOCK_RESTRICT_SELF = 446;
const LANDLOCK_CREATE_RULESET_VERSION = 1;
const LANDLOCK_RULE_PATH_BENEATH = 1;
export const EOPNOTSUPP = 95;
export const ENOSYS = 38;

function rawSyscall(nr: number, types: TypeCode[], args: unknown[]): ErrnoResult<number> {
  const r = callRaw<number | bigint>('syscall', T.I64, [T.I64, ...types], [nr, ...args]);
  return { value: Number(r.value), errnoCode: r.errnoCode };
}

/** The Landlock ABI version the kernel offers, or the errno that says why there is none. */
export function landlockAbi(): { abi: number } | { errno: number } {
  const r = rawSyscall(
    SYS_LANDLOCK_CREATE_RULESET,
    [T.BigInt, T.I64, T.I64],
    [0n, 0, LANDLOCK_CREATE_RULESET_VERSION],
  );
  return r.value > 0 ? { abi: r.value } : { errno: r.errnoCode };
}

/** landlock_create_ruleset with only handled_access_fs (the 8-byte form every ABI accepts). */
export function landlockCreateRuleset(handledFs: bigint): number {
  return withMemory(8, (m) => {
    m.view.writeBigUInt64LE(handledFs, 0);
    const r = rawSyscall(SYS_LANDLOCK_CREATE_RULESET, [T.BigInt, T.I64, T.I64], [m.addr, 8, 0]);
    if (r.value < 0) throw new LibcError('landlock_create_ruleset', r.errnoCode);
    return r.value;
  });
}

/** landlock_add_rule(PATH_BENEATH): struct landlock_path_beneath_attr is packed (8 + 4 bytes). */
export function landlockAddPathRule(
  rulesetFd: number,
  allowed: bigint,
  parentFd: number,
  context: string,
): void {
  withMemory(12, (m) => {
    m.view.writeBigUInt64LE(allowed, 0);
    m.view.writeInt32LE(parentFd, 8);
    const r = rawSyscall(
      SYS_LANDLOCK_ADD_RULE,
      [T.I64, T.I64, T.BigInt, T.I64],
      [rulesetFd, LANDLOCK_RULE_PATH_BENEATH, m.addr, 0],
    );
    if (r.value < 0) throw new LibcError('landlock_add_rule', r.errnoCode, context);
  });
}

export function landlockRestrictSelf(rulesetFd: number): void {
  const r = rawSyscall(SYS_LANDLOCK_RESTRICT_SELF, [T.I64, T.I64], [rulesetFd, 0]);
  if (r.value < 0) throw new LibcError('landlock_restrict_self', r.errnoCode);
}

/** O_PATH | O_CLOEXEC (the same values on x86-64 and arm64). */
const O_PATH = 0o10000000;
const O_CLOEXEC = 0o2000000;

/** open(path, O_PATH | O_CLOEXEC): a handle on a file or directory, for a Landlock rule. */
export function openPath(path: string): number {
  assertNoNul('path', path);
  return callInt('open', [T.String, T.I32], [path, O_PATH | O_CLOEXEC], path);
}

export function close(fd: number): void {
  callInt('close', [T.I32], [fd], `fd ${fd}`);
}
