/**
 * The machinery of the libc boundary (./libc.ts is its face): the ffi-rs binding, typed calls
 * that report errno, C memory we own, and errno's names. Nothing outside src/libc/ imports this.
 */
import { SecwrapError } from '../errors.js';
import { loadFfiBinding, type FfiBinding } from './native.js';

/** A failed libc call: `call` names it, `errno` is the error number. */
export class LibcError extends SecwrapError {
  override readonly name: string = 'LibcError';
  constructor(
    readonly call: string,
    readonly errno: number,
    context?: string,
  ) {
    super(
      `${call} failed: ${errnoName(errno)} (${strerror(errno)})${context ? `: ${context}` : ''}`,
    );
  }
}

// ffi-rs DataType codes (see ffi-rs index.d.ts).
export const T = { String: 0, I32: 1, Void: 7, I64: 8, External: 11, BigInt: 16 } as const;
export type TypeCode = (typeof T)[keyof typeof T];

let ffi: FfiBinding | undefined;
function binding(): FfiBinding {
  if (!ffi) {
    ffi = loadFfiBinding();
    ffi.open({ library: 'libc', path: 'libc.so.6' });
  }
  return ffi;
}

export interface ErrnoResult<V> {
  value: V;
  errnoCode: number;
}

export function callRaw<V>(
  funcName: string,
  retType: TypeCode,
  paramsType: TypeCode[],
  paramsValue: unknown[],
): ErrnoResult<V> {
  return binding().load({
    library: 'libc',
    funcName,
    retType,
    paramsType,
    paramsValue,
    errno: true,
    freeResultMemory: false,
  }) as ErrnoResult<V>;
}

/** Call an int-returning function; -1 means failure with errno. */
export function callInt(
  name: string,
  paramsType: TypeCode[],
  paramsValue: unknown[],
  context?: string,
): number {
  const r = callRaw<number>(name, T.I32, paramsType, paramsValue);
  if (r.value === -1) throw new LibcError(name, r.errnoCode, context);
  return r.value;
}

/** Call a function that reports errors by returning the error number (0 = success). */
export function callErrnoReturn(
  name: string,
  paramsType: TypeCode[],
  paramsValue: unknown[],
): number {
  return callRaw<number>(name, T.I32, paramsType, paramsValue).value;
}

// ---------------------------------------------------------------------------------------------
// Memory we own: malloc'd, viewed through a Buffer, addressed by a bigint.

/** A block of C memory. `view` reads and writes it; `addr` is what C receives as a pointer. */
export interface CMemory {
  readonly addr: bigint;
  readonly view: Buffer;
}

function cAlloc(size: number): CMemory {
  const b = binding();
  const ext = callRaw<unknown>('malloc', T.External, [T.I64], [size]).value;
  if (b.isNullPointer(ext)) throw new LibcError('malloc', 12 /* ENOMEM */);
  // memset returns its first argument: the block's address as an integer, and zeroes it.
  const addr = callRaw<bigint>(
    'memset',
    T.BigInt,
    [T.External, T.I32, T.I64],
    [ext, 0, size],
  ).value;
  return { addr: BigInt(addr), view: b.createExternalBuffer(ext, size) };
}

function cFree(m: CMemory): void {
  callRaw<void>('free', T.Void, [T.BigInt], [m.addr]);
}

/**
 * Most calls need a few hundred bytes for a moment: they share one block allocated once
 * (zeroed before each use) instead of malloc + memset + free around every call.
 */
const SCRATCH_SIZE = 64 * 1024;
let scratch: CMemory | undefined;
let scratchBusy = false;

export function withMemory<R>(size: number, fn: (m: CMemory) => R): R {
  if (size <= SCRATCH_SIZE && !scratchBusy) {
    scratch ??= cAlloc(SCRATCH_SIZE);
    const m = { addr: scratch.addr, view: scratch.view.subarray(0, size) };
    m.view.fill(0);
    scratchBusy = true;
    try {
      return fn(m);
    } finally {
      scratchBusy = false;
    }
  }
  const m = cAlloc(size);
  try {
    return fn(m);
  } finally {
    cFree(m);
  }
}

/** Read a NUL-terminated string at `ptr`, which must lie inside `m`. */
export function readCString(m: CMemory, ptr: bigint): string | null {
  if (ptr === 0n) return null;
  const off = Number(ptr - m.addr);
  if (off < 0 || off >= m.view.length)
    throw new SecwrapError('libc returned a pointer outside its buffer');
  const end = m.view.indexOf(0, off);
  return m.view.toString('utf8', off, end < 0 ? m.view.length : end);
}

/** Refuse strings C would silently truncate. */
export function assertNoNul(what: string, s: string): void {
  if (s.includes('\0')) throw new SecwrapError(`${what} contains a NUL byte: refused`);
}

// ---------------------------------------------------------------------------------------------
// errno names (for messages) — the ones these calls can produce.

const ERRNO_NAMES: Record<number, [string, string]> = {
  1: ['EPERM', 'Operation not permitted'],
  2: ['ENOENT', 'No such file or directory'],
  3: ['ESRCH', 'No such process'],
  5: ['EIO', 'Input/output error'],
  7: ['E2BIG', 'Argument list too long'],
  8: ['ENOEXEC', 'Exec format error'],
  9: ['EBADF', 'Bad file descriptor'],
  12: ['ENOMEM', 'Cannot allocate memory'],
  13: ['EACCES', 'Permission denied'],
  14: ['EFAULT', 'Bad address'],
  20: ['ENOTDIR', 'Not a directory'],
  21: ['EISDIR', 'Is a directory'],
  22: ['EINVAL', 'Invalid argument'],
  24: ['EMFILE', 'Too many open files'],
  25: ['ENOTTY', 'Inappropriate ioctl for device'],
  26: ['ETXTBSY', 'Text file busy'],
  34: ['ERANGE', 'Numerical result out of range'],
  36: ['ENAMETOOLONG', 'File name too long'],
  38: ['ENOSYS', 'Function not implemented'],
  40: ['ELOOP', 'Too many levels of symbolic links'],
  6: ['ENXIO', 'No such device or address'],
  95: ['EOPNOTSUPP', 'Operation not supported'],
};

export function errnoName(e: number): string {
  return ERRNO_NAMES[e]?.[0] ?? `errno ${e}`;
}
function strerror(e: number): string {
  return ERRNO_NAMES[e]?.[1] ?? 'unknown error';
}
export const ENOENT = 2;
export const ENOTDIR = 20;
export const EACCES = 13;
export const EPERM = 1;
export const ERANGE = 34;
