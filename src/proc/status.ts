/**
 * The calling process's real credential state, as the kernel reports it in /proc/self/status —
 * the very fields util-linux setpriv's result is compared on (Uid Gid Groups CapInh CapPrm CapEff
 * CapBnd CapAmb NoNewPrivs), plus Umask and the signal fields the hand-off checks. One read, no per-cap
 * system call. The descriptor is opened before any chroot and read again (pread) afterwards, so
 * verification works inside a jail without /proc.
 */
import { closeSync, readSync } from 'node:fs';
import { openProc } from './open.js';
import { SecwrapError } from '../errors.js';

export interface ProcState {
  uid: number[]; // real, effective, saved, filesystem
  gid: number[];
  groups: number[]; // sorted, unique
  effective: bigint;
  permitted: bigint;
  inheritable: bigint;
  bounding: bigint;
  ambient: bigint;
  noNewPrivs: boolean;
  /** The file mode creation mask (Umask:, Linux 4.7 and later). */
  umask: number;
  sigIgnored: bigint;
  sigBlocked: bigint;
}

export function sortedGroups(ids: readonly number[]): number[] {
  return [...new Set(ids)].sort((a, b) => a - b);
}

/**
 * The whitespace-separated words of a field (spaces and tabs; the field holds no newline). By
 * hand, not split(/\s+/): no regular expression on the exec path (compiling one costs start-up).
 */
function words(s: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 32;
    if (c === 32 || c === 9) {
      if (start >= 0) out.push(s.slice(start, i));
      start = -1;
    } else if (start < 0) {
      start = i;
    }
  }
  return out;
}

/** An octal field such as Umask's `0022`, by hand (no RegExp, no parseInt surprises). */
function octal(s: string): number {
  let v = 0;
  if (s.length === 0 || s.length > 4)
    throw new SecwrapError(`/proc/self/status: bad octal value ${JSON.stringify(s)}`);
  for (let i = 0; i < s.length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 7)
      throw new SecwrapError(`/proc/self/status: bad octal value ${JSON.stringify(s)}`);
    v = v * 8 + d;
  }
  return v;
}

/** Parse the text of /proc/<pid>/status. Every field must be there (fail closed). */
export function parseStatus(text: string): ProcState {
  const field = (name: string): string => {
    const at = text.indexOf(`\n${name}:`);
    if (at < 0) throw new SecwrapError(`/proc/self/status has no ${name} line`);
    const end = text.indexOf('\n', at + 1);
    return text.slice(at + name.length + 2, end < 0 ? undefined : end).trim();
  };
  const ids = (name: string): number[] => {
    const v = words(field(name)).map(Number);
    if (v.length !== 4 || v.some((n) => !Number.isInteger(n)))
      throw new SecwrapError(`/proc/self/status: bad ${name} line`);
    return v;
  };
  const mask = (name: string): bigint => BigInt('0x' + field(name));
  const groups = field('Groups');
  return {
    uid: ids('Uid'),
    gid: ids('Gid'),
    groups: sortedGroups(words(groups).map(Number)),
    inheritable: mask('CapInh'),
    permitted: mask('CapPrm'),
    effective: mask('CapEff'),
    bounding: mask('CapBnd'),
    ambient: mask('CapAmb'),
    noNewPrivs: field('NoNewPrivs') === '1',
    umask: octal(field('Umask')),
    sigIgnored: mask('SigIgn'),
    sigBlocked: mask('SigBlk'),
  };
}

/** An open /proc/self/status that can be read again after chroot. */
export class StatusReader {
  // Sized for the usual status (under 2 KiB); grown, and kept grown, when the supplementary
  // groups make it longer: 65,536 groups (the kernel's NGROUPS_MAX) take about 460 KiB.
  private buf = Buffer.alloc(16384);
  readonly fd: number;
  constructor() {
    this.fd = openProc('/proc/self/status', 'the process state');
  }
  /**
   * The whole file, in one read: a read that fills the buffer may have stopped short of the end,
   * so the buffer grows and the file is read again from the start (one consistent snapshot, not
   * pieces of two).
   */
  read(): ProcState {
    let n = readSync(this.fd, this.buf, 0, this.buf.length, 0);
    while (n === this.buf.length) {
      this.buf = Buffer.alloc(this.buf.length * 2);
      n = readSync(this.fd, this.buf, 0, this.buf.length, 0);
    }
    return parseStatus('\n' + this.buf.toString('latin1', 0, n));
  }
  close(): void {
    closeSync(this.fd);
  }
}

/** The current state, read once. */
export function readState(): ProcState {
  const r = new StatusReader();
  try {
    return r.read();
  } finally {
    r.close();
  }
}
