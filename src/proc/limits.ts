/**
 * The calling process's resource limits as the kernel reports them in /proc/self/limits, read
 * back by the verification after the `rlimits` step. Like the status reader, the descriptor is
 * opened before any chroot and read again (pread) afterwards.
 */
import { isAsciiDigits } from '../digits.js';
import { closeSync, readFileSync, readSync } from 'node:fs';
import { openProc } from './open.js';
import { SecwrapError } from '../errors.js';

/** RLIM_INFINITY, shown as "unlimited". */
export const UNLIMITED = 0xffffffffffffffffn;

/** The rows of /proc/self/limits, in the kernel's order: row i is resource number i. */
export const LIMIT_ROWS: readonly string[] = [
  'Max cpu time',
  'Max file size',
  'Max data size',
  'Max stack size',
  'Max core file size',
  'Max resident set',
  'Max processes',
  'Max open files',
  'Max locked memory',
  'Max address space',
  'Max file locks',
  'Max pending signals',
  'Max msgqueue size',
  'Max nice priority',
  'Max realtime priority',
  'Max realtime timeout',
];

export interface LimitPair {
  soft: bigint;
  hard: bigint;
}

function value(word: string | undefined, row: string): bigint {
  if (word === 'unlimited') return UNLIMITED;
  if (word === undefined || word.length > 20 || !isAsciiDigits(word))
    throw new SecwrapError(`/proc/self/limits: bad value in "${row}"`);
  return BigInt(word);
}

/** Parse /proc/<pid>/limits: the soft and hard limit of each resource, by resource number. */
export function parseLimits(text: string): LimitPair[] {
  const out: LimitPair[] = [];
  for (const row of LIMIT_ROWS) {
    const at = text.indexOf(`\n${row} `);
    if (at < 0) throw new SecwrapError(`/proc/self/limits has no "${row}" line`);
    const end = text.indexOf('\n', at + 1);
    const rest = text.slice(at + 1 + row.length, end < 0 ? undefined : end);
    const words: string[] = [];
    let start = -1;
    for (let i = 0; i <= rest.length; i++) {
      const sp = i === rest.length || rest.charCodeAt(i) === 32;
      if (sp && start >= 0) {
        words.push(rest.slice(start, i));
        start = -1;
      } else if (!sp && start < 0) start = i;
    }
    out.push({ soft: value(words[0], row), hard: value(words[1], row) });
  }
  return out;
}

/** An open /proc/self/limits that can be read again after chroot. */
export class LimitsReader {
  private readonly buf = Buffer.alloc(4096);
  readonly fd: number;
  constructor() {
    this.fd = openProc('/proc/self/limits', 'the resource limits');
  }
  read(): LimitPair[] {
    const n = readSync(this.fd, this.buf, 0, this.buf.length, 0);
    return parseLimits('\n' + this.buf.toString('latin1', 0, n));
  }
  close(): void {
    closeSync(this.fd);
  }
}

/** fs.nr_open: the kernel's ceiling for RLIMIT_NOFILE. */
export function nrOpen(): number {
  let text: string;
  try {
    text = readFileSync('/proc/sys/fs/nr_open', 'latin1').trim();
  } catch (e) {
    throw new SecwrapError(
      `cannot read fs.nr_open (/proc/sys/fs/nr_open: ${(e as NodeJS.ErrnoException).code})`,
    );
  }
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0)
    throw new SecwrapError(`fs.nr_open: unexpected value "${text}"`);
  return n;
}
