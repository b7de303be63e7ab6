/**
 * apply: the only code that changes the process's credentials. It runs the plan's credential
 * steps in the plan's order (src/plan/order.ts `planSteps` owns the order and says why), each
 * call checked by the libc wrappers, which throw a LibcError naming the call, and ends with the
 * verification. Nothing here looks anything up or decides an order: the plan did that.
 */
import { openSync, closeSync, readdirSync, readlinkSync, constants as fsc } from 'node:fs';
import { SecwrapError } from '../errors.js';
import * as libc from '../libc/libc.js';
import type { Plan } from '../plan/plan.js';
import { isHandOff, type ApplyStep } from '../plan/steps.js';
import type { ProcState, StatusReader } from '../proc/status.js';
import { LimitsReader } from '../proc/limits.js';
import { writeExecLabel } from './lsm.js';
import { missingPrivileges } from './preflight.js';
import { verify } from './verify.js';

export type Log = (line: string) => void;

const SIGHUP = 1;
const SIGCONT = 18;

/** Runs the credential steps; returns the state the verification read back. */
export function apply(plan: Plan, log: Log, status: StatusReader): ProcState {
  // Refuse before the first side effect if any step would fail for lack of privilege.
  const missing = missingPrivileges(plan);
  if (missing.length) throw new SecwrapError(missing[0]!);
  let verified: ProcState | undefined;
  const held: Held = { pathFds: new Map() };
  for (const step of plan.steps) {
    if (isHandOff(step)) break;
    log(`${step.op}: ${step.detail}`);
    verified = run(step, plan, status, held);
  }
  // The plan always ends its credential steps with `verify`; a plan without it is a bug.
  if (verified === undefined) throw new SecwrapError('the plan has no verification step: refused');
  return verified;
}

/** What one step opens for a later one: /proc/self/limits, the Landlock rule paths. */
interface Held {
  limits?: LimitsReader;
  pathFds: Map<string, number>;
}

/** One credential step. Returns the verified state for `verify`, else undefined. */
function run(step: ApplyStep, plan: Plan, status: StatusReader, held: Held): ProcState | undefined {
  switch (step.op) {
    case 'rlimits':
      held.limits = new LimitsReader(); // opened before any chroot, read by verify
      for (const l of step.limits)
        libc.setrlimit(l.resource, l.soft, l.hard, `${l.name} ${l.soft}:${l.hard}`);
      return undefined;
    case 'umask':
      libc.umask(step.mask);
      return undefined;
    case 'lsm-label':
      writeExecLabel(step.lsm, step.label);
      return undefined;
    case 'landlock-paths':
      for (const p of step.paths) if (!held.pathFds.has(p)) held.pathFds.set(p, openRulePath(p));
      return undefined;
    case 'securebits':
      if (step.raise) libc.capset(step.raise);
      libc.prctl(libc.PR_SET_SECUREBITS, step.bits, 0, 0, 0, 'securebits');
      return undefined;
    case 'pdeathsig':
      libc.prctl(libc.PR_SET_PDEATHSIG, step.signal, 0, 0, 0, 'parent-death signal');
      return undefined;
    case 'landlock':
      landlock(step, held.pathFds);
      return undefined;
    case 'new-session':
      newSession();
      return undefined;
    case 'close-fds':
      markCloseOnExec(new Set([0, 1, 2, ...step.keep]), new Set([status.fd]));
      return undefined;
    case 'chroot':
      libc.chroot(step.dir);
      libc.chdir('/');
      return undefined;
    case 'bounding-set':
      for (const c of step.drop) libc.capbsetDrop(c);
      return undefined;
    case 'keep-caps':
      libc.prctl(libc.PR_SET_KEEPCAPS, step.on ? 1 : 0);
      return undefined;
    case 'groups':
      libc.setgroups(step.gids);
      return undefined;
    case 'gid':
      libc.setresgid(step.gid, step.gid, step.gid);
      return undefined;
    case 'uid':
      libc.setresuid(step.uid, step.uid, step.uid);
      return undefined;
    case 'caps':
      libc.capset(step.sets);
      return undefined;
    case 'ambient':
      libc.prctl(libc.PR_CAP_AMBIENT, libc.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
      for (const c of step.raise)
        libc.prctl(
          libc.PR_CAP_AMBIENT,
          libc.PR_CAP_AMBIENT_RAISE,
          c,
          0,
          0,
          `raising capability ${c} into the ambient set`,
        );
      return undefined;
    case 'no-new-privs':
      libc.prctl(libc.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
      return undefined;
    case 'verify':
      return verify(plan, status, held.limits);
  }
}

function openRulePath(path: string): number {
  try {
    return libc.openPath(path);
  } catch (e) {
    throw new SecwrapError(`--landlock-rule: cannot open ${path}: ${(e as Error).message}`);
  }
}

/** A ruleset handling `handled`, one path-beneath rule per path, then restrict this thread. */
function landlock(
  step: Extract<ApplyStep, { op: 'landlock' }>,
  pathFds: Map<string, number>,
): void {
  const ruleset = libc.landlockCreateRuleset(step.handled);
  try {
    for (const r of step.rules) {
      const fd = pathFds.get(r.path);
      if (fd === undefined) throw new SecwrapError(`--landlock-rule: ${r.path} was not opened`);
      libc.landlockAddPathRule(ruleset, r.rights, fd, r.path);
    }
    libc.landlockRestrictSelf(ruleset);
  } finally {
    libc.close(ruleset);
    for (const fd of pathFds.values()) libc.close(fd);
    pathFds.clear();
  }
}

function newSession(): void {
  const r = libc.setsid();
  if (r.ok) return;
  if (r.errno !== libc.EPERM) throw new libc.LibcError('setsid', r.errno);
  // A process-group leader cannot setsid (and we must not fork: the command keeps our PID).
  // Give up the controlling terminal instead; without one, TIOCSTI is refused (EPERM).
  let fd: number;
  try {
    fd = openSync('/dev/tty', fsc.O_RDWR | fsc.O_NOCTTY);
  } catch {
    return; // no controlling terminal: nothing to give up
  }
  // As session leader, TIOCNOTTY sends SIGHUP and SIGCONT to the foreground process group, which
  // is us: ignore both for the call (the hand-off resets every ignored signal to default later).
  const leader = libc.getsid() === libc.getpid();
  if (leader) {
    libc.sigSetIgnore(SIGHUP);
    libc.sigSetIgnore(SIGCONT);
  }
  try {
    libc.ioctlNoTty(fd);
  } finally {
    closeSync(fd);
    if (leader) {
      libc.sigSetDefault(SIGHUP);
      libc.sigSetDefault(SIGCONT);
    }
  }
  try {
    closeSync(openSync('/dev/tty', fsc.O_RDWR | fsc.O_NOCTTY));
  } catch {
    return; // ENXIO: no controlling terminal any more
  }
  throw new SecwrapError('--new-session: still attached to a controlling terminal after TIOCNOTTY');
}

/** The open descriptors, from /proc (listed only when needed: ≈ 0.13 ms at every start). */
function openFds(): number[] {
  try {
    return readdirSync('/proc/self/fd').map(Number);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SecwrapError(
      `cannot list open descriptors${code === 'ENOENT' ? ': /proc is not mounted' : ''} (/proc/self/fd: ${code})`,
    );
  }
}

function markCloseOnExec(keep: ReadonlySet<number>, own: ReadonlySet<number>): void {
  // What each descriptor is, read only when some are to be passed on (to refuse secwrap's own).
  if ([...keep].some((fd) => fd > 2)) {
    const fds = openFds();
    const targets = new Map<number, string>();
    for (const fd of fds) {
      try {
        targets.set(fd, readlinkSync(`/proc/self/fd/${fd}`));
      } catch {
        // the directory listing's own descriptor, closed since
      }
    }
    for (const fd of keep) {
      if (fd <= 2) continue;
      const t = targets.get(fd);
      if (t === undefined)
        throw new SecwrapError(`descriptor ${fd} was to be passed on but is not open`);
      if (own.has(fd) || isNodeInternal(fd, t, targets))
        throw new SecwrapError(
          `descriptor ${fd} was to be passed on but is secwrap's own (${t}), not one its caller opened`,
        );
    }
  }
  // Everything from 3 up close-on-exec (the kept ones are cleared again at the hand-off).
  if (libc.closeRangeCloexec(3)) return;
  for (const fd of openFds()) {
    if (fd <= 2) continue;
    const flags = libc.fcntlIfOpen(fd, libc.F_GETFD);
    if (flags !== null && (flags & libc.FD_CLOEXEC) === 0)
      libc.fcntl(fd, libc.F_SETFD, flags | libc.FD_CLOEXEC);
  }
}

/**
 * Node's own descriptors take the lowest free numbers at start, so a --preserve-fds count larger
 * than what the caller passed would hand them on. They are recognisable: event loop objects
 * (anon_inode: eventpoll, eventfd, io_uring, …) and pipes whose both ends are ours.
 */
function isNodeInternal(fd: number, target: string, all: ReadonlyMap<number, string>): boolean {
  if (target.startsWith('anon_inode:')) return true;
  if (target.startsWith('pipe:')) {
    for (const [other, t] of all) if (other !== fd && other > 2 && t === target) return true;
  }
  return false;
}
