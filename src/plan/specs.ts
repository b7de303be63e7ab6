/**
 * The text of setpriv's and prlimit's options, read exactly: `--rlimit NAME=SOFT[:HARD]`,
 * `--umask MODE`, `--securebits (+|-)BIT,…`, `--pdeathsig keep|clear|SIGNAL`,
 * `--landlock-access fs[:RIGHT,…]` and `--landlock-rule path-beneath:[RIGHT,…]:PATH`. Pure
 * functions (no system call); what depends on the kernel (current bits, the Landlock ABI, the
 * current limits) is decided in the plan. Hand-written, without RegExp: these run on the exec
 * path when the options are given.
 */
import { isAsciiDigits } from '../digits.js';
import { SecwrapError } from '../errors.js';

/** prlimit's resource names, with the resource numbers of x86-64 and arm64 (asm-generic). */
export const RLIMIT_RESOURCES: Readonly<Record<string, number>> = {
  cpu: 0,
  fsize: 1,
  data: 2,
  stack: 3,
  core: 4,
  nproc: 6,
  nofile: 7,
  memlock: 8,
  as: 9,
  locks: 10,
  sigpending: 11,
  msgqueue: 12,
  nice: 13,
  rtprio: 14,
  rttime: 15,
};
export const RLIMIT_NOFILE = 7;
export const RLIM_INFINITY = 0xffffffffffffffffn;

export function resourceName(resource: number): string {
  for (const [n, r] of Object.entries(RLIMIT_RESOURCES)) if (r === resource) return n;
  return `resource ${resource}`;
}

export interface RlimitSpec {
  resource: number;
  name: string;
  soft: bigint;
  hard: bigint;
}

function limitValue(v: string, spec: string): bigint {
  if (v === 'unlimited' || v === 'infinity') return RLIM_INFINITY;
  if (!isAsciiDigits(v) || v.length > 20)
    throw new SecwrapError(`--rlimit ${spec}: "${v}" is not a whole number or "unlimited"`);
  const n = BigInt(v);
  if (n >= RLIM_INFINITY)
    throw new SecwrapError(`--rlimit ${spec}: ${v} is too large (use "unlimited")`);
  return n;
}

/** `NAME=SOFT[:HARD]`; one value sets both (as prlimit does). */
export function parseRlimit(spec: string): RlimitSpec {
  const eq = spec.indexOf('=');
  if (eq <= 0)
    throw new SecwrapError(`--rlimit ${spec}: expected NAME=SOFT[:HARD], e.g. nofile=80000`);
  const name = spec.slice(0, eq).toLowerCase();
  const resource = RLIMIT_RESOURCES[name];
  if (resource === undefined)
    throw new SecwrapError(
      `--rlimit ${spec}: unknown resource "${spec.slice(0, eq)}" (one of ${Object.keys(RLIMIT_RESOURCES).join(', ')})`,
    );
  const rest = spec.slice(eq + 1);
  const colon = rest.indexOf(':');
  const soft = limitValue(colon < 0 ? rest : rest.slice(0, colon), spec);
  const hard = colon < 0 ? soft : limitValue(rest.slice(colon + 1), spec);
  if (soft > hard)
    throw new SecwrapError(`--rlimit ${spec}: the soft limit is above the hard limit`);
  return { resource, name, soft, hard };
}

/** `--umask MODE`: octal, 0 to 0777, as the shell's umask takes it. */
export function parseUmask(text: string): number {
  let v = 0;
  if (text.length === 0 || text.length > 4)
    throw new SecwrapError(`--umask "${text}": expected an octal mode such as 027`);
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 7)
      throw new SecwrapError(`--umask "${text}": expected an octal mode such as 027`);
    v = v * 8 + d;
  }
  if (v > 0o777) throw new SecwrapError(`--umask "${text}": at most 0777`);
  return v;
}

/** linux/securebits.h */
export const SECBIT = {
  noroot: 1 << 0,
  noroot_locked: 1 << 1,
  no_setuid_fixup: 1 << 2,
  no_setuid_fixup_locked: 1 << 3,
  keep_caps: 1 << 4,
  keep_caps_locked: 1 << 5,
} as const;
/** The bits setpriv knows; any other bit already set makes it refuse to adjust. */
export const SECBIT_KNOWN = 0x3f;

export type SecurebitsOp = { add: boolean; bit: number } | { clearAll: true };

/**
 * `--securebits (+|-)BIT,…`, setpriv's syntax: noroot, noroot_locked, no_setuid_fixup,
 * no_setuid_fixup_locked, keep_caps_locked; `-all` clears them all; `+all` and keep_caps are
 * refused (keep_caps is set by secwrap itself and cleared by execve).
 */
export function parseSecurebits(text: string): SecurebitsOp[] {
  const ops: SecurebitsOp[] = [];
  for (const item of text.split(',')) {
    const sign = item[0];
    if (sign !== '+' && sign !== '-')
      throw new SecwrapError(
        `--securebits "${text}": each item must start with + or - (e.g. +noroot,+noroot_locked)`,
      );
    const name = item.slice(1);
    if (name === 'all') {
      if (sign === '+') throw new SecwrapError('--securebits: +all is not allowed');
      ops.push({ clearAll: true });
      continue;
    }
    if (name === 'keep_caps')
      throw new SecwrapError(
        '--securebits: adjusting keep_caps does not make sense (it is cleared by execve)',
      );
    const bit = (SECBIT as Record<string, number>)[name];
    if (bit === undefined)
      throw new SecwrapError(
        `--securebits: unknown securebit "${name}" (noroot, noroot_locked, no_setuid_fixup, no_setuid_fixup_locked, keep_caps_locked, -all)`,
      );
    ops.push({ add: sign === '+', bit });
  }
  return ops;
}

/** Apply the ops to the current bits, as setpriv does (which also sets keep_caps). */
export function securebitsFrom(current: number, ops: readonly SecurebitsOp[]): number {
  if ((current & ~SECBIT_KNOWN) !== 0)
    throw new SecwrapError(
      `--securebits: unrecognized securebit set (0x${current.toString(16)}); refusing to adjust`,
    );
  let bits = current;
  for (const op of ops) {
    if ('clearAll' in op) bits = 0;
    else bits = op.add ? bits | op.bit : bits & ~op.bit;
  }
  return bits | SECBIT.keep_caps;
}

export function securebitsNames(bits: number): string {
  const names = Object.entries(SECBIT)
    .filter(([, b]) => (bits & b) !== 0)
    .map(([n]) => n);
  const other = bits & ~SECBIT_KNOWN;
  if (other) names.push(`0x${other.toString(16)}`);
  return names.join(',') || 'none';
}

/** Signal names (x86-64 and arm64 numbering). */
const SIGNALS: Readonly<Record<string, number>> = {
  HUP: 1,
  INT: 2,
  QUIT: 3,
  ILL: 4,
  TRAP: 5,
  ABRT: 6,
  IOT: 6,
  BUS: 7,
  FPE: 8,
  KILL: 9,
  USR1: 10,
  SEGV: 11,
  USR2: 12,
  PIPE: 13,
  ALRM: 14,
  TERM: 15,
  STKFLT: 16,
  CHLD: 17,
  CLD: 17,
  CONT: 18,
  STOP: 19,
  TSTP: 20,
  TTIN: 21,
  TTOU: 22,
  URG: 23,
  XCPU: 24,
  XFSZ: 25,
  VTALRM: 26,
  PROF: 27,
  WINCH: 28,
  IO: 29,
  POLL: 29,
  PWR: 30,
  SYS: 31,
};
/** glibc's SIGRTMIN and SIGRTMAX (glibc keeps 32 and 33 for itself). */
const SIGRTMIN = 34;
const SIGRTMAX = 64;

export function signalName(sig: number): string {
  for (const [n, v] of Object.entries(SIGNALS))
    if (v === sig && n !== 'IOT' && n !== 'CLD' && n !== 'POLL') return `SIG${n}`;
  return sig >= SIGRTMIN && sig <= SIGRTMAX ? `SIGRTMIN+${sig - SIGRTMIN}` : String(sig);
}

/** A signal name as util-linux reads it: optional SIG prefix, any case, RTMIN+n / RTMAX-n. */
export function signalFromName(text: string): number | null {
  let s = text.toUpperCase();
  if (s.startsWith('SIG')) s = s.slice(3);
  if (s.startsWith('RT')) {
    const base = s.startsWith('RTMIN') ? SIGRTMIN : s.startsWith('RTMAX') ? SIGRTMAX : -1;
    if (base < 0) return null;
    const off = s.slice(5);
    if (off === '') return base;
    const sign = off[0];
    const n = off.slice(1);
    if ((sign !== '+' && sign !== '-') || !isAsciiDigits(n) || n.length > 2) return null;
    const v = base + (sign === '+' ? Number(n) : -Number(n));
    return v >= SIGRTMIN && v <= SIGRTMAX ? v : null;
  }
  return SIGNALS[s] ?? null;
}

export type PdeathsigSpec = 'keep' | 'clear' | number;

/** `--pdeathsig keep|clear|SIGNAL` */
export function parsePdeathsig(text: string): PdeathsigSpec {
  if (text === 'keep' || text === 'clear') return text;
  const sig = signalFromName(text);
  if (sig === null)
    throw new SecwrapError(
      `--pdeathsig: unknown signal "${text}" (keep, clear, or a signal name such as SIGTERM)`,
    );
  return sig;
}

/** Landlock's filesystem access rights, by setpriv's names (bit i = right i). */
export const LANDLOCK_FS_RIGHTS: readonly string[] = [
  'execute',
  'write-file',
  'read-file',
  'read-dir',
  'remove-dir',
  'remove-file',
  'make-char',
  'make-dir',
  'make-reg',
  'make-sock',
  'make-fifo',
  'make-block',
  'make-sym',
  'refer',
  'truncate',
  'ioctl-dev',
];
/** The rights each Landlock ABI handles (index: ABI - 1; later ABIs add no fs right). */
const FS_MASK_BY_ABI: readonly bigint[] = [
  (1n << 13n) - 1n,
  (1n << 14n) - 1n,
  (1n << 15n) - 1n,
  (1n << 15n) - 1n,
  (1n << 16n) - 1n,
];

export function landlockFsMask(abi: number): bigint {
  return FS_MASK_BY_ABI[Math.min(abi, FS_MASK_BY_ABI.length) - 1] ?? 0n;
}

export function landlockRightNames(mask: bigint): string {
  const out: string[] = [];
  LANDLOCK_FS_RIGHTS.forEach((n, i) => {
    if (mask & (1n << BigInt(i))) out.push(n);
  });
  return out.join(',') || 'none';
}

function parseRights(list: string, what: string): bigint {
  let mask = 0n;
  for (const name of list.split(',')) {
    const i = LANDLOCK_FS_RIGHTS.indexOf(name);
    if (i < 0)
      throw new SecwrapError(
        `${what}: unknown Landlock fs access right "${name}" (${LANDLOCK_FS_RIGHTS.join(', ')})`,
      );
    mask |= 1n << BigInt(i);
  }
  return mask;
}

/** `fs` (every right the kernel handles: 'all') or `fs:RIGHT,…`. */
export function parseLandlockAccess(text: string): bigint | 'all' {
  if (text === 'fs' || text === 'fs:') return 'all';
  if (!text.startsWith('fs:'))
    throw new SecwrapError(
      `--landlock-access "${text}": expected fs or fs:RIGHT,... (e.g. fs:read-file,execute)`,
    );
  return parseRights(text.slice(3), `--landlock-access "${text}"`);
}

export interface LandlockRuleSpec {
  /** null: every handled right (an empty RIGHTS field, as setpriv reads it). */
  rights: bigint | null;
  path: string;
}

/** `path-beneath:RIGHTS:PATH` (RIGHTS may be empty: every handled right). */
export function parseLandlockRule(text: string): LandlockRuleSpec {
  const prefix = 'path-beneath:';
  if (!text.startsWith(prefix))
    throw new SecwrapError(`--landlock-rule "${text}": expected path-beneath:RIGHT,...:PATH`);
  const rest = text.slice(prefix.length);
  const colon = rest.indexOf(':');
  if (colon < 0)
    throw new SecwrapError(`--landlock-rule "${text}": expected path-beneath:RIGHT,...:PATH`);
  const path = rest.slice(colon + 1);
  if (path === '') throw new SecwrapError(`--landlock-rule "${text}": no path`);
  const list = rest.slice(0, colon);
  return { rights: list === '' ? null : parseRights(list, `--landlock-rule "${text}"`), path };
}
