/**
 * The user and group databases through libc and NSS: answers exactly as `id` gives them.
 */
import { SecwrapError } from '../errors.js';
import {
  type CMemory,
  ERANGE,
  LibcError,
  T,
  type TypeCode,
  assertNoNul,
  callErrnoReturn,
  callRaw,
  readCString,
  withMemory,
} from './call.js';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  gecos: string;
  dir: string;
  shell: string;
}
export interface GroupEntry {
  name: string;
  gid: number;
}

const PASSWD_SIZE = 48; // struct passwd on x86-64 and arm64 glibc (LP64)
const GROUP_SIZE = 32; // struct group

/**
 * Run a getXXnam_r/getXXid_r call, growing the string buffer on ERANGE. Returns the struct memory
 * (or null when the entry does not exist) to `decode`.
 */
function lookupR<R>(
  call: string,
  key: { type: TypeCode; value: unknown },
  structSize: number,
  decode: (m: CMemory, s: number) => R,
): R | null {
  for (let bufLen = 4096; bufLen <= 1 << 24; bufLen *= 4) {
    const total = structSize + 8 + bufLen;
    const out = withMemory(total, (m) => {
      const structPtr = m.addr;
      const resultPtr = m.addr + BigInt(structSize);
      const bufPtr = resultPtr + 8n;
      const rc = callErrnoReturn(
        call,
        [key.type, T.BigInt, T.BigInt, T.I64, T.BigInt],
        [key.value, structPtr, bufPtr, bufLen, resultPtr],
      );
      if (rc === ERANGE) return 'grow' as const;
      if (rc !== 0) throw new LibcError(call, rc, `looking up ${String(key.value)}`);
      const result = m.view.readBigUInt64LE(structSize);
      if (result === 0n) return { found: null };
      return { found: decode(m, 0) };
    });
    if (out !== 'grow') return out.found;
  }
  throw new LibcError(call, ERANGE, `entry for ${String(key.value)} too large`);
}

function decodePasswd(m: CMemory, at: number): PasswdEntry {
  const v = m.view;
  return {
    name: readCString(m, v.readBigUInt64LE(at)) ?? '',
    uid: v.readUInt32LE(at + 16),
    gid: v.readUInt32LE(at + 20),
    gecos: readCString(m, v.readBigUInt64LE(at + 24)) ?? '',
    dir: readCString(m, v.readBigUInt64LE(at + 32)) ?? '',
    shell: readCString(m, v.readBigUInt64LE(at + 40)) ?? '',
  };
}

function decodeGroup(m: CMemory, at: number): GroupEntry {
  const v = m.view;
  return { name: readCString(m, v.readBigUInt64LE(at)) ?? '', gid: v.readUInt32LE(at + 16) };
}

export function getpwnam(name: string): PasswdEntry | null {
  assertNoNul('user name', name);
  return lookupR('getpwnam_r', { type: T.String, value: name }, PASSWD_SIZE, decodePasswd);
}
export function getpwuid(uid: number): PasswdEntry | null {
  return lookupR('getpwuid_r', { type: T.I32, value: uid | 0 }, PASSWD_SIZE, decodePasswd);
}
export function getgrnam(name: string): GroupEntry | null {
  assertNoNul('group name', name);
  return lookupR('getgrnam_r', { type: T.String, value: name }, GROUP_SIZE, decodeGroup);
}
export function getgrgid(gid: number): GroupEntry | null {
  return lookupR('getgrgid_r', { type: T.I32, value: gid | 0 }, GROUP_SIZE, decodeGroup);
}

/** The member names a group entry lists (gr_mem), or null when no group has that gid. */
export function groupMembers(gid: number): string[] | null {
  return lookupR('getgrgid_r', { type: T.I32, value: gid | 0 }, GROUP_SIZE, (m, at) => {
    const list: string[] = [];
    const p = m.view.readBigUInt64LE(at + 24); // gr_mem: a NULL-terminated array inside the buffer
    for (let i = 0; p !== 0n && i < 1 << 16; i++) {
      const off = Number(p - m.addr) + 8 * i;
      if (off < 0 || off + 8 > m.view.length)
        throw new SecwrapError('libc returned a pointer outside its buffer');
      const member = m.view.readBigUInt64LE(off);
      if (member === 0n) break;
      list.push(readCString(m, member) ?? '');
    }
    return list;
  });
}

/** The groups initgroups(user, gid) would set: getgrouplist(3), as `id -G USER` shows them. */
export function getgrouplist(user: string, gid: number): number[] {
  assertNoNul('user name', user);
  for (let n = 64; n <= 1 << 20; n *= 4) {
    const r = withMemory(4 * n + 8, (m) => {
      const countAt = 4 * n;
      m.view.writeInt32LE(n, countAt);
      const rc = callRaw<number>(
        'getgrouplist',
        T.I32,
        [T.String, T.I32, T.BigInt, T.BigInt],
        [user, gid | 0, m.addr, m.addr + BigInt(countAt)],
      ).value;
      const count = m.view.readInt32LE(countAt);
      if (rc === -1) return count > n ? null : [];
      const out: number[] = [];
      for (let i = 0; i < count; i++) out.push(m.view.readUInt32LE(4 * i));
      return out;
    });
    if (r !== null) {
      if (r.length === 0) throw new LibcError('getgrouplist', 0, `no groups for ${user}`);
      return r;
    }
  }
  throw new LibcError('getgrouplist', ERANGE, `too many groups for ${user}`);
}
