/**
 * USER-SPEC, the one argument of gosu and su-exec: `user`, `user:group`, `uid`, `uid:gid`,
 * `:group`, `user:` or the empty string, read the way each program reads it, and resolved to the
 * exact identity it would set (uid, gid, the supplementary list and HOME). Lookups go through NSS
 * (libc's getpwnam_r and the rest), where gosu parses /etc/passwd and /etc/group itself: with
 * the users and groups in those files the answers are the same.
 *
 * gosu (its setup-user.go over moby/sys user.GetExecUser, Debian's gosu 1.14):
 *   - the spec splits at the first ':';
 *   - a part that Go's strconv.Atoi reads (an optional sign, then digits) is an id, always, even
 *     when a user of that name exists; it must lie in 0..2^31-1;
 *   - the user part: empty → the passwd entry of the caller's real uid; an id → its entry if
 *     any, else that uid with the caller's gid and HOME=/; a name → its entry, or an error;
 *   - a matched entry gives uid, gid and HOME; the supplementary groups are then the groups whose
 *     member list names the user (the primary group only if listed), unless a group part is
 *     given: then gid is that group and there are no supplementary groups at all;
 *   - an unmatched user without a group part: no supplementary groups either.
 * su-exec (su-exec.c):
 *   - the spec splits at the first ':';
 *   - the user part: empty → the caller's uid; digits → that uid; otherwise a name → its entry or
 *     an error; then the passwd entry of the uid, if any, gives uid, gid and HOME (else the
 *     caller's gid and HOME=/);
 *   - a group part (digits → that gid, else a name) sets gid and the supplementary list is
 *     exactly [gid]; without one, an entry gets getgrouplist(name, gid) and a uid without entry
 *     gets [gid].
 *   One deliberate difference: su-exec reads the user part with strtol, so ` 42`, `+42`, `-2`
 *   and `99999999999` silently become uids (the last one truncated to 1215752191). Here only
 *   plain decimal digits within 0..2^32-2 are ids; anything else is a name, and a name nobody
 *   has is an error: never a silent uid.
 */
import { isAsciiDigits } from '../digits.js';
import { SecwrapError } from '../errors.js';
import * as libc from '../libc/libc.js';
import { parseNumericId } from './resolve.js';

export type SpecDialect = 'gosu' | 'su-exec';

export interface SpecIdentity {
  dialect: SpecDialect;
  spec: string;
  uid: number;
  /** The passwd entry the uid has, or null (a uid without one). */
  entry: libc.PasswdEntry | null;
  gid: number;
  groupName: string | null;
  /** Exactly the supplementary groups to set. */
  groups: number[];
  /** How the list was made, for explain. */
  groupsFrom: string;
  /** The HOME the command gets. */
  home: string;
}

/** The caller's real ids: what an empty user part, or a uid without entry, keeps. */
export interface Caller {
  uid: number;
  gid: number;
}

/** gosu's range for ids (moby/sys user: 0..MaxInt32). */
const GOSU_MAX_ID = 0x7fffffff;

/**
 * An id as Go's strconv.Atoi reads it (optional sign, at least one digit, nothing else), or
 * null for a name. Out of gosu's range: an error, as gosu's.
 */
function gosuId(part: string, what: string): number | null {
  const sign = part.charCodeAt(0) === 43 || part.charCodeAt(0) === 45 ? 1 : 0; // '+' or '-'
  if (!isAsciiDigits(part.slice(sign))) return null;
  const n = Number(part);
  if (!Number.isSafeInteger(n) || n < 0 || n > GOSU_MAX_ID) {
    throw new SecwrapError(`${what} id ${part} is out of range: gosu takes 0-${GOSU_MAX_ID}`);
  }
  return n;
}

function splitSpec(spec: string): { user: string; group: string | null } {
  libc.assertNoNul('user spec', spec);
  const colon = spec.indexOf(':');
  if (colon < 0) return { user: spec, group: null };
  const group = spec.slice(colon + 1);
  if (group.includes(':'))
    throw new SecwrapError(`user spec "${spec}": more than one ":" (USER[:GROUP])`);
  return { user: spec.slice(0, colon), group };
}

const unknownUser = (name: string): SecwrapError =>
  new SecwrapError(`unknown user "${name}" (not found in the user database)`);
const unknownGroup = (name: string): SecwrapError =>
  new SecwrapError(`unknown group "${name}" (not found in the group database)`);

/** The groups whose member list names `user` (gosu's implicit form), in the order NSS gives. */
function memberships(user: libc.PasswdEntry): number[] {
  // getgrouplist gives the primary gid plus every group listing the user; gosu keeps the
  // primary group only when its own entry lists the user.
  const all = libc.getgrouplist(user.name, user.gid);
  const primaryListed = libc.groupMembers(user.gid)?.includes(user.name) ?? false;
  return dedupe(all.filter((g) => g !== user.gid || primaryListed));
}

function dedupe(ids: number[]): number[] {
  return [...new Set(ids)];
}

function groupNameOf(gid: number): string | null {
  return libc.getgrgid(gid)?.name ?? null;
}

export function resolveGosuSpec(spec: string, caller: Caller): SpecIdentity {
  const parts = splitSpec(spec);
  const user = parts.user;
  // `user:` is `user`: an empty group part is no group part (gosu and su-exec alike).
  const groupPart = parts.group === null || parts.group === '' ? null : parts.group;
  let uid = caller.uid;
  let gid = caller.gid;
  let home = '/';
  let entry: libc.PasswdEntry | null;
  if (user === '') {
    entry = libc.getpwuid(caller.uid);
  } else {
    const id = gosuId(user, 'user');
    entry = id === null ? libc.getpwnam(user) : libc.getpwuid(id);
    if (entry === null && id === null) throw unknownUser(user);
    if (entry === null) uid = id!;
  }
  if (entry) [uid, gid, home] = [entry.uid, entry.gid, entry.dir];
  let groups: number[] = [];
  let groupsFrom = 'none';
  if (groupPart !== null) {
    const id = gosuId(groupPart, 'group');
    const g = id === null ? libc.getgrnam(groupPart) : libc.getgrgid(id);
    if (g === null && id === null) throw unknownGroup(groupPart);
    gid = g ? g.gid : id!;
    groupsFrom = 'none: a group is given';
  } else if (entry) {
    groups = memberships(entry);
    groupsFrom = `groups listing ${entry.name}`;
  }
  return {
    dialect: 'gosu',
    spec,
    uid,
    entry,
    gid,
    groupName: groupNameOf(gid),
    groups,
    groupsFrom,
    home,
  };
}

export function resolveSuExecSpec(spec: string, caller: Caller): SpecIdentity {
  const { user, group } = splitSpec(spec);
  let uid = caller.uid;
  let entry: libc.PasswdEntry | null = null;
  if (user !== '') {
    const id = parseNumericId(user, 'user');
    if (id === null) {
      entry = libc.getpwnam(user);
      if (entry === null) throw unknownUser(user);
    } else {
      uid = id;
    }
  }
  entry ??= libc.getpwuid(uid);
  let gid = entry ? entry.gid : caller.gid;
  if (entry) uid = entry.uid;
  const home = entry ? entry.dir : '/';
  let groups: number[];
  let groupsFrom: string;
  if (group !== null && group !== '') {
    const id = parseNumericId(group, 'group');
    if (id === null) {
      const g = libc.getgrnam(group);
      if (g === null) throw unknownGroup(group);
      gid = g.gid;
    } else {
      gid = id;
    }
    groups = [gid];
    groupsFrom = 'the group alone';
  } else if (entry) {
    groups = dedupe(libc.getgrouplist(entry.name, gid));
    groupsFrom = 'initgroups';
  } else {
    groups = [gid];
    groupsFrom = 'the gid alone';
  }
  return {
    dialect: 'su-exec',
    spec,
    uid,
    entry,
    gid,
    groupName: groupNameOf(gid),
    groups,
    groupsFrom,
    home,
  };
}

export function resolveUserSpec(dialect: SpecDialect, spec: string, caller: Caller): SpecIdentity {
  return dialect === 'gosu' ? resolveGosuSpec(spec, caller) : resolveSuExecSpec(spec, caller);
}
