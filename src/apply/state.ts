/**
 * The calling thread's real credential state, read with system calls (not /proc, which may be
 * missing inside a chroot). Used twice: to plan from what is, and to verify what was applied.
 */
import * as libc from '../libc/libc.js';

export interface ProcState {
  uid: [number, number, number]; // real, effective, saved
  gid: [number, number, number];
  groups: number[]; // sorted, unique
  effective: bigint;
  permitted: bigint;
  inheritable: bigint;
  bounding: bigint;
  ambient: bigint;
  noNewPrivs: boolean;
}

export function sortedGroups(ids: readonly number[]): number[] {
  return [...new Set(ids)].sort((a, b) => a - b);
}

export function readState(lastCap: number): ProcState {
  const caps = libc.capget();
  let bounding = 0n;
  let ambient = 0n;
  for (let c = 0; c <= lastCap; c++) {
    if (libc.prctl(libc.PR_CAPBSET_READ, c) === 1) bounding |= 1n << BigInt(c);
    if (libc.prctl(libc.PR_CAP_AMBIENT, libc.PR_CAP_AMBIENT_IS_SET, c) === 1) ambient |= 1n << BigInt(c);
  }
  return {
    uid: libc.getresuid(),
    gid: libc.getresgid(),
    groups: sortedGroups(libc.getgroups()),
    effective: caps.effective,
    permitted: caps.permitted,
    inheritable: caps.inheritable,
    bounding,
    ambient,
    noNewPrivs: libc.prctl(libc.PR_GET_NO_NEW_PRIVS) === 1,
  };
}
