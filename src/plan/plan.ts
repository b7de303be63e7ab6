/**
 * resolve → plan. Turns a Request into a Plan: plain data saying exactly what apply will do, in
 * which order, and what state verify must find afterwards. Everything is looked up here, on the
 * host, before any side effect; every error is found here if it can be.
 */
import { SecwrapError } from '../errors.js';
import { capFromText, capToText, capLastCap, maskToNames, privilegesFromText } from '../caps/index.js';
import { groupName, initGroups, resolveGroup, resolveGroupList, resolveUser, type ResolvedGroup, type ResolvedUser } from '../identity/resolve.js';
import { getpwuid, type PasswdEntry } from '../libc/libc.js';
import { sortedGroups, type ProcState } from '../apply/state.js';
import type { EnvMode, Request } from './request.js';

export const CAP_SETGID = 6;
export const CAP_SETUID = 7;
export const CAP_SETPCAP = 8;
export const CAP_SYS_CHROOT = 18;

export type StepOp =
  | 'new-session'
  | 'close-fds'
  | 'chroot'
  | 'bounding-set'
  | 'keep-caps'
  | 'groups'
  | 'gid'
  | 'uid'
  | 'caps'
  | 'ambient'
  | 'no-new-privs'
  | 'verify'
  | 'signals'
  | 'stdio'
  | 'env'
  | 'exec';

export interface Step {
  op: StepOp;
  detail: string;
  /** The capability secwrap itself must hold (effective) for this step, if any. */
  needs?: number;
}

export interface Identity {
  id: number;
  name: string | null;
}

/** What verify must read back after apply, and what the command then starts with. */
export type Expected = Omit<ProcState, 'sigIgnored' | 'sigBlocked'>;

export interface CapPlan {
  text: string;
  /** libcap's canonical text for the parsed request. */
  canonical: string;
  /** R: the caps with the p flag; the command keeps exactly these (permitted, effective, ambient). */
  retained: bigint;
  /** R ∪ I: the inheritable set and the bounding set the command gets. */
  inheritable: bigint;
}

export interface Plan {
  command: string[];
  configFile: string | null;
  sources: Record<string, string>;
  lastCap: number;
  before: ProcState;
  /** null: unchanged. */
  user: Identity | null;
  group: Identity | null;
  groups: { list: Identity[]; from: 'config' | 'flag' | 'initgroups' | 'none' } | null;
  chroot: string | null;
  caps: CapPlan | null;
  privileges: { text: string; linux: string; unmapped: string[] } | null;
  noNewPrivs: boolean;
  newSession: boolean;
  /** Descriptors kept open besides 0, 1 and 2. */
  keepFds: number[];
  env: { mode: EnvMode; set: Record<string, string> };
  expect: Expected;
  steps: Step[];
  notes: string[];
}

export interface PlanContext {
  state: ProcState;
  pid: number;
  env: NodeJS.ProcessEnv;
  stdinIsTty: boolean;
}

function ident(u: ResolvedUser): Identity {
  return { id: u.uid, name: u.name };
}
function gident(g: ResolvedGroup): Identity {
  return { id: g.gid, name: g.name };
}

const bit = (c: number): bigint => 1n << BigInt(c);
const has = (mask: bigint, c: number): boolean => (mask & bit(c)) !== 0n;
export const capLabel = (c: number): string => (maskToNames(bit(c))[0] ?? `cap_${c}`);

/**
 * LISTEN_FDS from systemd socket activation, when addressed to this PID. Decimal digits only, as
 * systemd reads it: Number() also took " 2", "0x10" and "1e3", keeping descriptors that a
 * socket-activated command would not count as its own.
 */
function listenFds(env: NodeJS.ProcessEnv, pid: number): number {
  if (env.LISTEN_PID !== String(pid)) return 0;
  const s = env.LISTEN_FDS;
  if (s === undefined) return 0;
  for (let i = 0; i < s.length || i === 0; i++) {
    const c = s.charCodeAt(i); // NaN for the empty string: refused too
    if (!(c >= 48 && c <= 57)) throw new SecwrapError('LISTEN_FDS (for this PID) is not a decimal number, as systemd requires');
  }
  const n = Number(s);
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : 0;
}

export const SAFE_PATH_ROOT = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const SAFE_PATH_USER = '/usr/local/bin:/usr/bin:/bin';

function planEnv(mode: EnvMode, uid: number, entry: PasswdEntry | null): Record<string, string> {
  if (mode === 'keep') return {};
  const set: Record<string, string> = {
    HOME: entry?.dir || '/',
    USER: entry?.name ?? String(uid),
    LOGNAME: entry?.name ?? String(uid),
  };
  if (mode === 'reset') {
    set.SHELL = entry?.shell || '/bin/sh';
    set.PATH = uid === 0 ? SAFE_PATH_ROOT : SAFE_PATH_USER;
  }
  return set;
}

function parseCaps(req: Request, lastCap: number, state: ProcState): CapPlan | null {
  if (req.caps === undefined) return null;
  const where = req.sources.caps ?? 'capabilities';
  let parsed;
  try {
    parsed = capFromText(req.caps, lastCap);
  } catch (e) {
    throw new SecwrapError(`capabilities (${where}): ${(e as Error).message}`);
  }
  const retained = parsed.permitted;
  const inheritable = parsed.permitted | parsed.inheritable;
  const all = inheritable | parsed.effective;
  for (let c = 0; c < 64; c++) {
    if (!has(all, c)) continue;
    if (c > lastCap) throw new SecwrapError(`capabilities (${where}): capability ${c} is beyond this kernel's last capability (${lastCap})`);
  }
  for (let c = 0; c <= lastCap; c++) {
    if (has(inheritable, c) && !has(state.bounding, c)) {
      throw new SecwrapError(`capabilities (${where}): ${capLabel(c)} is not in the current bounding set, so it cannot be retained`);
    }
  }
  return { text: req.caps, canonical: capToText(parsed, lastCap), retained, inheritable };
}

/** Build the plan. Throws SecwrapError (exit 125) for anything unresolvable. */
export function buildPlan(req: Request, ctx: PlanContext): Plan {
  const state = ctx.state;
  const lastCap = capLastCap();
  const notes: string[] = [];

  // Identity. A numeric user without a passwd entry needs an explicit group.
  const user = req.user !== undefined ? resolveUser(req.user) : null;
  let group: ResolvedGroup | null = req.group !== undefined ? resolveGroup(req.group) : null;
  if (user && !group) {
    if (!user.entry) throw new SecwrapError(`user ${req.user} has no passwd entry: set a group (security { group = … } or --group)`);
    group = { gid: user.entry.gid, name: groupName(user.entry.gid) };
  }

  // Supplementary groups: explicit list, else initgroups for a user, else none. Never the caller's.
  let groups: Plan['groups'] = null;
  if (req.groups !== undefined) {
    groups = { list: resolveGroupList(req.groups).map(gident), from: req.sources.groups === '--groups' ? 'flag' : 'config' };
  } else if (user) {
    groups = user.entry ? { list: initGroups(user).map(gident), from: 'initgroups' } : { list: [], from: 'none' };
  } else if (group) {
    groups = { list: [], from: 'none' };
  }

  const caps = parseCaps(req, lastCap, state);

  let privileges: Plan['privileges'] = null;
  if (req.privileges !== undefined) {
    const where = req.sources.privileges ?? 'privileges';
    let p;
    try {
      p = privilegesFromText(req.privileges);
    } catch (e) {
      throw new SecwrapError(`privileges (${where}): ${(e as Error).message}`);
    }
    privileges = { text: req.privileges, linux: p.linuxText, unmapped: p.unmapped };
    notes.push(`privileges "${req.privileges}" is Solaris-only and not applied on Linux; its Linux reading: ${p.linuxText}`);
  }

  // Expected state after apply.
  // Real, effective, saved and filesystem ids, as /proc/self/status lists them.
  const uid = user ? [user.uid, user.uid, user.uid, user.uid] : [...state.uid];
  const gid = group ? [group.gid, group.gid, group.gid, group.gid] : [...state.gid];
  const wasRoot = state.uid.slice(0, 3).some((u) => u === 0);
  const becomesNonRoot = uid.every((u) => u !== 0);
  const expect: Expected = {
    uid,
    gid,
    groups: groups ? sortedGroups(groups.list.map((g) => g.id)) : state.groups,
    effective: state.effective,
    permitted: state.permitted,
    inheritable: state.inheritable,
    bounding: state.bounding,
    ambient: state.ambient,
    noNewPrivs: req.noNewPrivs || state.noNewPrivs,
  };
  if (caps) {
    Object.assign(expect, { effective: caps.retained, permitted: caps.retained, inheritable: caps.inheritable, bounding: caps.inheritable, ambient: caps.retained });
  } else if (wasRoot && becomesNonRoot) {
    Object.assign(expect, { effective: 0n, permitted: 0n, ambient: 0n }); // capabilities(7): uid 0 → non-0
  }

  // Steps, in the one fixed order apply follows.
  const steps: Step[] = [];
  if (req.newSession) steps.push({ op: 'new-session', detail: 'setsid(), or give up the controlling terminal (TIOCNOTTY) when a process-group leader' });
  const listen = listenFds(ctx.env, ctx.pid);
  const keepCount = Math.max(req.preserveFds, listen);
  const keepFds = Array.from({ length: keepCount }, (_, i) => 3 + i);
  steps.push({ op: 'close-fds', detail: `mark every descriptor except 0 1 2${keepFds.length ? ` and ${keepFds[0]}-${keepFds[keepFds.length - 1]}` : ''} close-on-exec` });
  if (req.chroot !== undefined) steps.push({ op: 'chroot', detail: `chroot("${req.chroot}") then chdir("/")`, needs: CAP_SYS_CHROOT });
  if (caps && (state.bounding & ~caps.inheritable) !== 0n) {
    steps.push({ op: 'bounding-set', detail: `drop ${maskToNames(state.bounding & ~caps.inheritable).length} capabilities from the bounding set, keeping ${names(caps.inheritable)}`, needs: CAP_SETPCAP });
  }
  const uidChanges = !sameIds(uid, state.uid);
  if (caps && uidChanges && wasRoot && becomesNonRoot) steps.push({ op: 'keep-caps', detail: 'prctl(PR_SET_KEEPCAPS, 1) so the uid change keeps the permitted set' });
  if (groups && !sameIds(expect.groups, state.groups)) {
    steps.push({ op: 'groups', detail: `setgroups(${groups.list.map(fmtId).join(', ') || 'none'})`, needs: CAP_SETGID });
  }
  if (!sameIds(gid, state.gid)) steps.push({ op: 'gid', detail: `setresgid(${gid[0]}, ${gid[0]}, ${gid[0]})`, needs: canSetUnprivileged(gid, state.gid) ? undefined : CAP_SETGID });
  if (uidChanges) steps.push({ op: 'uid', detail: `setresuid(${uid[0]}, ${uid[0]}, ${uid[0]})`, needs: canSetUnprivileged(uid, state.uid) ? undefined : CAP_SETUID });
  if (caps) {
    steps.push({ op: 'caps', detail: `capset(effective=permitted=${names(caps.retained)}, inheritable=${names(caps.inheritable)})` });
    steps.push({ op: 'ambient', detail: `clear the ambient set, then raise ${names(caps.retained)}` });
  }
  if (req.noNewPrivs) steps.push({ op: 'no-new-privs', detail: 'prctl(PR_SET_NO_NEW_PRIVS, 1)' });
  steps.push({ op: 'verify', detail: 'read back uids, gids, groups, capability sets, bounding and ambient sets, no_new_privs; abort on any difference' });
  steps.push({ op: 'signals', detail: 'every signal disposition to default, empty signal mask' });
  steps.push({ op: 'stdio', detail: 'restore the status flags of 0 1 2 as found at start; clear close-on-exec on kept descriptors' });
  const targetEntry = user ? user.entry : getpwuid(uid[1] ?? 0);
  const env = { mode: req.env, set: planEnv(req.env, uid[1] ?? 0, targetEntry) };
  steps.push({ op: 'env', detail: req.env === 'keep' ? 'environment untouched' : `${req.env === 'reset' ? 'only TERM kept; ' : ''}set ${Object.entries(env.set).map(([k, v]) => `${k}=${v}`).join(' ')}` });
  steps.push({ op: 'exec', detail: `execve ${req.command.length ? req.command.join(' ') : 'COMMAND'} in this PID (PATH search after the drop${req.chroot !== undefined ? ', inside the chroot' : ''})` });

  if (uid[1] === 0) {
    notes.push(caps ? `the command runs as root (uid 0), limited to ${names(caps.retained)} by the bounding set` : 'the command runs as root (uid 0) with full root capabilities (no capabilities option)');
  }
  if (caps && caps.inheritable !== caps.retained) notes.push(`${names(caps.inheritable & ~caps.retained)}: inheritable only (no p flag), not retained`);
  if (ctx.stdinIsTty && !req.newSession) notes.push('stdin is a terminal and --new-session is not set: the command could push input into it (TIOCSTI, CVE-2016-2779 class)');
  if (uid[1] !== 0 && !caps && wasRoot) notes.push('no capabilities option: the command keeps no capabilities (kernel rule for a non-root uid)');

  return {
    command: req.command,
    configFile: req.configFile,
    sources: req.sources,
    lastCap,
    before: state,
    user: user ? ident(user) : null,
    group: group ? gident(group) : null,
    groups,
    chroot: req.chroot ?? null,
    caps,
    privileges,
    noNewPrivs: req.noNewPrivs,
    newSession: req.newSession,
    keepFds,
    env,
    expect,
    steps,
    notes,
  };
}

function fmtId(i: Identity): string {
  return i.name === null ? String(i.id) : `${i.id}(${i.name})`;
}
export function names(mask: bigint): string {
  const n = maskToNames(mask);
  return n.length ? n.join(',') : 'none';
}
function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
/** An unprivileged setres[ug]id may only use values among the current real/effective/saved ids. */
function canSetUnprivileged(target: readonly number[], cur: readonly number[]): boolean {
  return target.every((t) => cur.slice(0, 3).includes(t));
}

/**
 * What secwrap itself lacks to carry out the plan, one sentence each (empty: nothing). apply
 * refuses to start when this is not empty, so a missing privilege never leaves a half-applied drop.
 */
export function missingPrivileges(plan: Plan): string[] {
  const out: string[] = [];
  const eff = plan.before.effective;
  for (const s of plan.steps) {
    if (s.needs !== undefined && !has(eff, s.needs)) {
      out.push(`secwrap lacks ${capLabel(s.needs).toUpperCase()} (needed for ${s.op}: ${s.detail}); run it as root or grant that capability`);
    }
  }
  if (plan.caps) {
    const missing = plan.caps.retained & ~plan.before.permitted;
    if (missing !== 0n) out.push(`cannot retain ${names(missing)}: not in secwrap's permitted set (grant it to the container or process)`);
    const inhMissing = plan.caps.inheritable & ~(plan.before.permitted | plan.before.inheritable);
    if (inhMissing !== 0n && !has(eff, CAP_SETPCAP)) out.push(`cannot make ${names(inhMissing)} inheritable: not permitted and secwrap lacks CAP_SETPCAP`);
  }
  return out;
}
