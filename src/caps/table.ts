/**
 * Linux capability numbers and libcap's names for them, and the running kernel's highest
 * capability (`/proc/sys/kernel/cap_last_cap`).
 *
 * Masks are `bigint`s with bit n standing for capability n; capability text can name bits
 * 0..63 (libcap's `__CAP_MAXBITS`), so every mask here fits in 64 bits.
 */
import { readFileSync } from 'node:fs';

/** libcap 2.66's names (`cap_to_name`), index = capability number. */
export const CAP_NAMES: readonly string[] = Object.freeze([
  'cap_chown', // 0
  'cap_dac_override', // 1
  'cap_dac_read_search', // 2
  'cap_fowner', // 3
  'cap_fsetid', // 4
  'cap_kill', // 5
  'cap_setgid', // 6
  'cap_setuid', // 7
  'cap_setpcap', // 8
  'cap_linux_immutable', // 9
  'cap_net_bind_service', // 10
  'cap_net_broadcast', // 11
  'cap_net_admin', // 12
  'cap_net_raw', // 13
  'cap_ipc_lock', // 14
  'cap_ipc_owner', // 15
  'cap_sys_module', // 16
  'cap_sys_rawio', // 17
  'cap_sys_chroot', // 18
  'cap_sys_ptrace', // 19
  'cap_sys_pacct', // 20
  'cap_sys_admin', // 21
  'cap_sys_boot', // 22
  'cap_sys_nice', // 23
  'cap_sys_resource', // 24
  'cap_sys_time', // 25
  'cap_sys_tty_config', // 26
  'cap_mknod', // 27
  'cap_lease', // 28
  'cap_audit_write', // 29
  'cap_audit_control', // 30
  'cap_setfcap', // 31
  'cap_mac_override', // 32
  'cap_mac_admin', // 33
  'cap_syslog', // 34
  'cap_wake_alarm', // 35
  'cap_block_suspend', // 36
  'cap_audit_read', // 37
  'cap_perfmon', // 38
  'cap_bpf', // 39
  'cap_checkpoint_restore', // 40
]);

/** Highest capability number that has a name (`CAP_LAST_CAP` of the headers libcap 2.66 knows). */
export const CAP_LAST_KNOWN = CAP_NAMES.length - 1;

/** Capability text can address bits 0..63 (libcap's `__CAP_MAXBITS`). */
export const CAP_MAX_BITS = 64;

/** All 64 addressable bits. */
export const MASK64 = (1n << 64n) - 1n;

const BY_NAME: ReadonlyMap<string, number> = new Map(CAP_NAMES.map((n, i) => [n, i]));

/** Capability number for a name (case-insensitive, `cap_` prefix required), or undefined. */
export function capNumber(name: string): number | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** libcap's `cap_to_name`: the name for a known capability, its decimal number otherwise. */
export function capName(n: number): string {
  return CAP_NAMES[n] ?? String(n);
}

/** Bit for capability n. */
export function capBit(n: number): bigint {
  return 1n << BigInt(n);
}

/** Mask of capabilities 0..lastCap (what `all` and a leading `=` mean). */
export function allMask(lastCap: number = capLastCap()): bigint {
  return (1n << BigInt(lastCap + 1)) - 1n;
}

export const CAP_LAST_CAP_PATH = '/proc/sys/kernel/cap_last_cap';

let cachedLastCap: number | undefined;

/**
 * Parses the content of `/proc/sys/kernel/cap_last_cap`: one or two decimal digits, blanks around
 * them allowed; undefined unless that is a number in 0..63. (A digit loop, not a RegExp: this runs
 * at every start, and compiling the RegExp cost ≈ 60 µs of it.)
 */
export function parseCapLastCap(content: string): number | undefined {
  const blank = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
  let i = 0;
  let end = content.length;
  while (i < end && blank(content.charCodeAt(i))) i++;
  while (end > i && blank(content.charCodeAt(end - 1))) end--;
  if (end - i < 1 || end - i > 2) return undefined;
  let n = 0;
  for (; i < end; i++) {
    const d = content.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return n < CAP_MAX_BITS ? n : undefined;
}

/**
 * The running kernel's highest capability number, read once from
 * `/proc/sys/kernel/cap_last_cap` and cached. If /proc is not mounted or the file is unreadable
 * or malformed, falls back to CAP_LAST_KNOWN (40), the highest capability libcap 2.66 names.
 */
export function capLastCap(): number {
  if (cachedLastCap === undefined) {
    let n: number | undefined;
    try {
      n = parseCapLastCap(readFileSync(CAP_LAST_CAP_PATH, 'utf8'));
    } catch {
      n = undefined;
    }
    cachedLastCap = n ?? CAP_LAST_KNOWN;
  }
  return cachedLastCap;
}
