/**
 * User and group resolution through the system's databases (NSS via libc's getpwnam_r and
 * friends), so the answers are exactly what `id` and `getent` print. Always on the host, before
 * any chroot (as systemd and minijail do). A name that does not exist is an error: never "stay
 * root" (su-exec's bug before v0.3).
 */
import { isAsciiDigits } from '../digits.js';
import { SecwrapError, quoteInput } from '../errors.js';
import * as libc from '../libc/libc.js';

export interface ResolvedUser {
  uid: number;
  name: string | null; // null: numeric id without a passwd entry
  entry: libc.PasswdEntry | null;
}

export interface ResolvedGroup {
  gid: number;
  name: string | null;
}

/** The largest valid id: (uid_t)-1 means "unchanged" to setresuid and is refused. */
const MAX_ID = 0xfffffffe;

/** A decimal id, or null when `spec` is a name. `0day` is a name (and then an unknown one). */
export function parseNumericId(spec: string, what: string): number | null {
  if (!isAsciiDigits(spec)) return null; // not all ASCII digits: a name
  const n = Number(spec);
  if (!Number.isSafeInteger(n) || n > MAX_ID)
    throw new SecwrapError(`${what} id ${spec} is out of range (0-${MAX_ID})`);
  return n;
}

function checkSpec(spec: string, what: string): void {
  if (spec === '') throw new SecwrapError(`empty ${what} name`);
  libc.assertNoNul(`${what} name`, spec);
}

/**
 * The longest user or group name accepted, in bytes: LOGIN_NAME_MAX (256) less its terminating
 * NUL. Checked before any lookup: NSS modules are not all ready for any length (libnss_systemd
 * aborts the process on a 4 MiB name).
 */
export const MAX_NAME_BYTES = 255;

/** Refuse a user or group spec longer than MAX_NAME_BYTES, before it reaches NSS. */
export function checkNameBound(spec: string, what: string): void {
  // A UTF-16 unit is at most 3 UTF-8 bytes: most specs are decided without counting bytes.
  if (spec.length * 3 <= MAX_NAME_BYTES) return;
  const bytes = Buffer.byteLength(spec, 'utf8');
  if (bytes > MAX_NAME_BYTES)
    throw new SecwrapError(
      `${what} name ${quoteInput(spec)} is ${bytes} bytes long; at most ${MAX_NAME_BYTES} are accepted`,
    );
}

/** The kernel's NGROUPS_MAX: setgroups(2) takes no more supplementary groups than this. */
export const MAX_GROUPS = 65536;

/**
 * Refuse a supplementary group list that setgroups would refuse anyway, before looking up each
 * entry (each one an NSS lookup), and bound each name.
 */
export function checkGroupListBound(specs: readonly string[]): void {
  if (specs.length > MAX_GROUPS)
    throw new SecwrapError(
      `${specs.length} supplementary groups; at most ${MAX_GROUPS} (NGROUPS_MAX) are accepted`,
    );
  for (const s of specs) checkNameBound(s, 'group');
}

/**
 * A user by name first, then, only when no user has that name, as a decimal uid: what `id` and
 * setpriv do. A passwd entry named `007` (uid 5007) is uid 5007, not uid 7.
 */
export function resolveUser(spec: string): ResolvedUser {
  checkNameBound(spec, 'user');
  checkSpec(spec, 'user');
  const named = libc.getpwnam(spec);
  if (named) return { uid: named.uid, name: named.name, entry: named };
  const id = parseNumericId(spec, 'user');
  if (id === null)
    throw new SecwrapError(`unknown user ${quoteInput(spec)} (not found in the user database)`);
  const entry = libc.getpwuid(id);
  return { uid: id, name: entry?.name ?? null, entry };
}

/** A group by name first, then as a decimal gid (as resolveUser). */
export function resolveGroup(spec: string): ResolvedGroup {
  checkNameBound(spec, 'group');
  checkSpec(spec, 'group');
  const named = libc.getgrnam(spec);
  if (named) return { gid: named.gid, name: named.name };
  const id = parseNumericId(spec, 'group');
  if (id === null)
    throw new SecwrapError(`unknown group ${quoteInput(spec)} (not found in the group database)`);
  return { gid: id, name: libc.getgrgid(id)?.name ?? null };
}

/** Name of a group id for display, or null. */
export function groupName(gid: number): string | null {
  return libc.getgrgid(gid)?.name ?? null;
}

/** The supplementary groups initgroups(3) gives `user` (what `id -G USER` prints). */
export function initGroups(user: ResolvedUser): ResolvedGroup[] {
  if (!user.entry) return [];
  return dedupe(libc.getgrouplist(user.entry.name, user.entry.gid)).map((gid) => ({
    gid,
    name: groupName(gid),
  }));
}

function dedupe(ids: number[]): number[] {
  return [...new Set(ids)];
}

export function resolveGroupList(specs: readonly string[]): ResolvedGroup[] {
  checkGroupListBound(specs);
  const seen = new Set<number>();
  const out: ResolvedGroup[] = [];
  for (const s of specs) {
    const g = resolveGroup(s);
    if (!seen.has(g.gid)) {
      seen.add(g.gid);
      out.push(g);
    }
  }
  return out;
}

export type { PasswdEntry } from '../libc/libc.js';

/** The passwd entry of a uid, or null (the environment of a target given by number). */
export function passwdEntry(uid: number): libc.PasswdEntry | null {
  return libc.getpwuid(uid);
}
