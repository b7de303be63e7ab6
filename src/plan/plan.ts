/**
 * resolve → plan. Turns a Request into a Plan: plain data saying exactly what apply will do, in
 * which order, and what state verify must find afterwards. Everything is looked up here, on the
 * host, before any side effect; every error is found here if it can be.
 */
import { isAsciiDigits } from '../digits.js';
import { SecwrapError } from '../errors.js';
import { capFromText, capToText, capLastCap, privilegesFromText } from '../caps/index.js';
import {
  groupName,
  initGroups,
  passwdEntry,
  resolveGroup,
  resolveGroupList,
  resolveUser,
  type PasswdEntry,
  type ResolvedGroup,
  type ResolvedUser,
} from '../identity/resolve.js';
import { sortedGroups, type ProcState } from '../proc/status.js';
import { nrOpen } from '../proc/limits.js';
import { lsmRunning } from '../proc/lsm.js';
import * as libc from '../libc/libc.js';
import { MOMENTUM_MAX_FILE_DESCRIPTORS } from '../config/globals.js';
import { MOMENTUM_DEFAULT_SOURCE, type EnvMode, type Request } from './request.js';
import { landlockFsMask, landlockRightNames, RLIMIT_NOFILE, securebitsFrom } from './specs.js';
import {
  CAP_SYS_RESOURCE,
  capLabel,
  fmtLimit,
  has,
  names,
  wasRoot,
  type CapPlan,
  type Expected,
  type Identity,
  type LandlockPlan,
  type Plan,
  type PlanContext,
  type PlannedLimit,
} from './model.js';
import { planSteps } from './order.js';

export type { Step, StepOp } from './steps.js';
export * from './model.js';

function ident(u: ResolvedUser): Identity {
  return { id: u.uid, name: u.name };
}
function gident(g: ResolvedGroup): Identity {
  return { id: g.gid, name: g.name };
}

/**
 * LISTEN_FDS from systemd socket activation, when addressed to this PID. Decimal digits only, as
 * systemd reads it: Number() also took " 2", "0x10" and "1e3", keeping descriptors that a
 * socket-activated command would not count as its own.
 */
function listenFds(env: NodeJS.ProcessEnv, pid: number): number {
  if (env.LISTEN_PID !== String(pid)) return 0;
  const s = env.LISTEN_FDS;
  if (s === undefined) return 0;
  if (!isAsciiDigits(s)) {
    throw new SecwrapError(
      'LISTEN_FDS (for this PID) is not a decimal number, as systemd requires',
    );
  }
  const n = Number(s);
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : 0;
}

export const SAFE_PATH_ROOT = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const SAFE_PATH_USER = '/usr/local/bin:/usr/bin:/bin';

function planEnv(
  mode: EnvMode,
  uid: number,
  entry: PasswdEntry | null,
  home?: string,
): Record<string, string> {
  if (mode === 'keep') return {};
  if (mode === 'home') return { HOME: home ?? (entry?.dir || '/') };
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
  let parsed: ReturnType<typeof capFromText>;
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
    if (c > lastCap)
      throw new SecwrapError(
        `capabilities (${where}): capability ${c} is beyond this kernel's last capability (${lastCap})`,
      );
  }
  for (let c = 0; c <= lastCap; c++) {
    if (has(inheritable, c) && !has(state.bounding, c)) {
      throw new SecwrapError(
        `capabilities (${where}): ${capLabel(c)} is not in the current bounding set, so it cannot be retained`,
      );
    }
  }
  return { text: req.caps, canonical: capToText(parsed, lastCap), retained, inheritable };
}

/** Build the plan. Throws SecwrapError (exit 125) for anything unresolvable. */
export function buildPlan(req: Request, ctx: PlanContext): Plan {
  const state = ctx.state;
  const lastCap = capLastCap();
  const { user, group } = resolveIdentity(req);
  const groups = resolveGroups(req, user, group, state);
  const caps = parseCaps(req, lastCap, state);
  const privileges = parsePrivileges(req);
  const limits = req.limits.length || req.nofileDefault ? planLimits(req, state) : [];
  const securebits = req.securebits ? securebitsFrom(libc.getSecurebits(), req.securebits) : null;
  const pdeathsig =
    req.pdeathsig === undefined
      ? null
      : req.pdeathsig === 'keep'
        ? libc.getPdeathsig()
        : req.pdeathsig === 'clear'
          ? 0
          : req.pdeathsig;
  const landlock = req.landlock ? planLandlock(req.landlock) : null;
  const lsmLabel = req.lsmLabel ? checkLsm(req.lsmLabel) : null;
  const expect = expectedState(req, state, user, group, groups, caps);
  const keepFds = keptDescriptors(req, ctx);
  const targetEntry = user ? user.entry : passwdEntry(expect.uid[1] ?? 0);
  const env = {
    mode: req.env,
    set: planEnv(req.env, expect.uid[1] ?? 0, targetEntry, req.identity?.home),
  };
  const steps = planSteps(req, state, expect, {
    groups,
    caps,
    keepFds,
    env,
    lastCap,
    limits,
    securebits,
    pdeathsig,
    landlock,
    lsmLabel,
  });
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
    limits,
    umask: req.umask ?? null,
    securebits,
    pdeathsig,
    landlock,
    lsmLabel,
    expect,
    steps,
    notes: planNotes(req, ctx, state, expect, caps, privileges, limits),
  };
}

/** User and group. A numeric user without a passwd entry needs an explicit group. */
function resolveIdentity(req: Request): { user: ResolvedUser | null; group: ResolvedGroup | null } {
  if (req.identity) {
    const id = req.identity; // gosu or su-exec mode: resolved already, by their rules
    return {
      user: { uid: id.uid, name: id.entry?.name ?? null, entry: id.entry },
      group: { gid: id.gid, name: id.groupName },
    };
  }
  const user =
    req.user !== undefined ? momentumDefault(req, 'user', () => resolveUser(req.user!)) : null;
  let group =
    req.group !== undefined ? momentumDefault(req, 'group', () => resolveGroup(req.group!)) : null;
  if (user && !group) {
    if (!user.entry)
      throw new SecwrapError(
        `user ${req.user} has no passwd entry: set a group (security { group = … } or --group)`,
      );
    group = { gid: user.entry.gid, name: groupName(user.entry.gid) };
  }
  return { user, group };
}

/** Supplementary groups: explicit list, else initgroups for a user, else none. Never the caller's. */
function resolveGroups(
  req: Request,
  user: ResolvedUser | null,
  group: ResolvedGroup | null,
  state: ProcState,
): Plan['groups'] {
  if (req.identity)
    return {
      list: req.identity.groups.map((gid) => ({ id: gid, name: groupName(gid) })),
      from: 'spec',
    };
  // setpriv's group modes (request.ts made them exclusive with a list).
  if (req.groupMode === 'keep')
    return { list: state.groups.map((id) => ({ id, name: groupName(id) })), from: 'keep' };
  if (req.groupMode === 'clear') return { list: [], from: 'clear' };
  if (req.groupMode === 'init') {
    if (!user?.entry)
      throw new SecwrapError(
        `--init-groups: user ${req.user} has no passwd entry, so initgroups(3) has no groups to give`,
      );
    return { list: initGroups(user).map(gident), from: 'initgroups' };
  }
  if (req.groups !== undefined) {
    return {
      list: resolveGroupList(req.groups).map(gident),
      from: req.sources.groups?.startsWith('--') ? 'flag' : 'config',
    };
  }
  if (user)
    return user.entry
      ? { list: initGroups(user).map(gident), from: 'initgroups' }
      : { list: [], from: 'none' };
  return group ? { list: [], from: 'none' } : null;
}

function parsePrivileges(req: Request): Plan['privileges'] {
  if (req.privileges === undefined) return null;
  const where = req.sources.privileges ?? 'privileges';
  try {
    const p = privilegesFromText(req.privileges);
    return { text: req.privileges, linux: p.linuxText, unmapped: p.unmapped };
  } catch (e) {
    throw new SecwrapError(`privileges (${where}): ${(e as Error).message}`);
  }
}

/** What verify must read back: real, effective, saved and filesystem ids as /proc lists them. */
function expectedState(
  req: Request,
  state: ProcState,
  user: ResolvedUser | null,
  group: ResolvedGroup | null,
  groups: Plan['groups'],
  caps: CapPlan | null,
): Expected {
  const uid = user ? [user.uid, user.uid, user.uid, user.uid] : [...state.uid];
  const gid = group ? [group.gid, group.gid, group.gid, group.gid] : [...state.gid];
  const expect: Expected = {
    uid,
    gid,
    groups: groups ? sortedGroups(groups.list.map((g) => g.id)) : state.groups,
    effective: state.effective,
    permitted: state.permitted,
    inheritable: state.inheritable,
    bounding: state.bounding,
    ambient: state.ambient,
    noNewPrivs: req.noNewPrivs || req.landlock !== undefined || state.noNewPrivs,
    umask: req.umask ?? state.umask,
  };
  if (caps) {
    Object.assign(expect, {
      effective: caps.retained,
      permitted: caps.retained,
      inheritable: caps.inheritable,
      bounding: caps.inheritable,
      ambient: caps.retained,
    });
  } else if (wasRoot(state) && uid.every((u) => u !== 0)) {
    Object.assign(expect, { effective: 0n, permitted: 0n, ambient: 0n }); // capabilities(7): uid 0 → non-0
  }
  return expect;
}

/** Descriptors passed on besides 0 1 2: --preserve-fds, or systemd's socket activation. */
function keptDescriptors(req: Request, ctx: PlanContext): number[] {
  const keepCount = Math.max(req.preserveFds, listenFds(ctx.env, ctx.pid));
  return Array.from({ length: keepCount }, (_, i) => 3 + i);
}

function planNotes(
  req: Request,
  ctx: PlanContext,
  state: ProcState,
  expect: Expected,
  caps: CapPlan | null,
  privileges: Plan['privileges'],
  limits: PlannedLimit[],
): string[] {
  const notes: string[] = [];
  for (const l of limits) if (l.why) notes.push(l.why);
  if (req.landlock && !req.noNewPrivs)
    notes.push('Landlock sets no_new_privs for the command (as setpriv does)');
  const uid = expect.uid[1];
  if (privileges)
    notes.push(
      `privileges "${privileges.text}" is Solaris-only and not applied on Linux; its Linux reading: ${privileges.linux}`,
    );
  if (uid === 0) {
    const why =
      req.sources.user !== undefined
        ? `user ${req.user} is set explicitly (${req.sources.user})`
        : "no user is given, so the caller's uid stays";
    notes.push(
      caps
        ? `the command runs as root (uid 0): ${why}; it is limited to ${names(caps.retained)} by the bounding set`
        : `the command runs as root (uid 0): ${why}; with full root capabilities (no capabilities option)`,
    );
  }
  for (const k of ['user', 'group'] as const) {
    if (req.sources[k] === MOMENTUM_DEFAULT_SOURCE)
      notes.push(`${k} ${req[k]}: Momentum's default (the security scope sets no ${k})`);
  }
  if (caps && caps.inheritable !== caps.retained)
    notes.push(
      `${names(caps.inheritable & ~caps.retained)}: inheritable only (no p flag), not retained`,
    );
  if (ctx.stdinIsTty && !req.newSession)
    notes.push(
      'stdin is a terminal and --new-session is not set: the command could push input into it (TIOCSTI, CVE-2016-2779 class)',
    );
  if (uid !== 0 && !caps && wasRoot(state))
    notes.push(
      'no capabilities option: the command keeps no capabilities (kernel rule for a non-root uid)',
    );
  return notes;
}

/**
 * Resolve a user or group; when the name is Momentum's default (not written anywhere) and
 * does not exist, say so and how to choose another.
 */
function momentumDefault<R>(req: Request, key: 'user' | 'group', resolve: () => R): R {
  try {
    return resolve();
  } catch (e) {
    if (
      req.sources[key] !== MOMENTUM_DEFAULT_SOURCE ||
      !(e instanceof SecwrapError) ||
      !e.message.startsWith('unknown ')
    )
      throw e;
    throw new SecwrapError(
      `${key} ${req[key]} does not exist: it is Momentum's default when the security scope sets no ${key}; ` +
        `create it, or set ${key} = NAME in the security scope of ${req.configFile} (or ${key === 'user' ? '-u' : '-g'} NAME)`,
    );
  }
}

/**
 * The limits: explicit ones as asked (the file's server_max_file_descriptors, --rlimit), and for
 * a config run without a descriptor limit, Momentum's default: min(3,000,000, fs.nr_open) when
 * secwrap holds CAP_SYS_RESOURCE, otherwise as far as the current hard limit allows.
 */
function planLimits(req: Request, state: ProcState): PlannedLimit[] {
  const out: PlannedLimit[] = [];
  for (const l of req.limits) {
    const current = libc.getrlimit(l.resource);
    if (l.resource === RLIMIT_NOFILE) {
      const max = nrOpen();
      if (l.hard > BigInt(max))
        throw new SecwrapError(
          `${l.source}: a file-descriptor limit of ${fmtLimit(l.hard)} is above the kernel's fs.nr_open ${max}`,
        );
    }
    out.push({
      resource: l.resource,
      name: l.name,
      soft: l.soft,
      hard: l.hard,
      current,
      source: l.source,
    });
  }
  if (req.nofileDefault) {
    const current = libc.getrlimit(RLIMIT_NOFILE);
    const max = nrOpen();
    const target = BigInt(Math.min(MOMENTUM_MAX_FILE_DESCRIPTORS, max));
    const capped = `Momentum's default ${MOMENTUM_MAX_FILE_DESCRIPTORS}${BigInt(MOMENTUM_MAX_FILE_DESCRIPTORS) > target ? ` capped at fs.nr_open ${max}` : ''}`;
    let v = target;
    let why = `nofile ${v}: the config sets no server_max_file_descriptors, so ${capped}`;
    if (!has(state.effective, CAP_SYS_RESOURCE) && target > current.hard) {
      v = current.hard;
      why = `nofile ${v}: the config sets no server_max_file_descriptors; ${capped} would raise the hard limit, and secwrap lacks CAP_SYS_RESOURCE, so soft = hard = the current hard limit ${v}`;
    }
    out.push({
      resource: RLIMIT_NOFILE,
      name: 'nofile',
      soft: v,
      hard: v,
      current,
      source: MOMENTUM_DEFAULT_SOURCE,
      why,
    });
  }
  return out;
}

function planLandlock(ll: NonNullable<Request['landlock']>): LandlockPlan {
  const r = libc.landlockAbi();
  if ('errno' in r) {
    const why =
      r.errno === libc.ENOSYS
        ? 'this kernel has no Landlock (ENOSYS)'
        : r.errno === libc.EOPNOTSUPP
          ? 'Landlock is built in but disabled (EOPNOTSUPP: add landlock to the lsm= boot parameter)'
          : `landlock_create_ruleset failed: ${libc.errnoName(r.errno)}`;
    throw new SecwrapError(`--landlock-access: ${why}; refusing to run the command unconfined`);
  }
  const supported = landlockFsMask(r.abi);
  const handled = ll.access === 'all' ? supported : ll.access;
  if (handled & ~supported)
    throw new SecwrapError(
      `--landlock-access: ${landlockRightNames(handled & ~supported)} not supported by this kernel's Landlock ABI ${r.abi}`,
    );
  const rules = ll.rules.map((rule) => {
    const rights = rule.rights ?? handled;
    if (rights & ~handled)
      throw new SecwrapError(
        `--landlock-rule ${rule.path}: ${landlockRightNames(rights & ~handled)} not among the handled rights (--landlock-access)`,
      );
    if (rule.path.includes('\uFFFD'))
      throw new SecwrapError(
        `--landlock-rule: the path ${rule.path} is not valid UTF-8 as given: refused`,
      );
    return { path: rule.path, rights };
  });
  return { abi: r.abi, handled, rules };
}

function checkLsm(l: NonNullable<Request['lsmLabel']>): Plan['lsmLabel'] {
  if (!lsmRunning(l.lsm)) {
    throw new SecwrapError(
      l.lsm === 'apparmor'
        ? `--apparmor-profile ${l.label}: AppArmor is not running on this kernel (no /sys/kernel/security/apparmor, and /sys/module/apparmor/parameters/enabled is not Y)`
        : `--selinux-label ${l.label}: SELinux is not running on this kernel (no /sys/fs/selinux)`,
    );
  }
  return { lsm: l.lsm, label: l.label };
}
