/**
 * apply: the only code that changes the process's credentials. One straight line, in the order
 * that works (docs/how-it-works.md); each call is checked by the libc wrappers,
 * which throw a LibcError naming the call. Nothing here looks anything up: the plan did that.
 */
import { openSync, closeSync, readdirSync, readlinkSync, constants as fsc } from 'node:fs';
import { SecwrapError } from '../errors.js';
import * as libc from '../libc/libc.js';
import { missingPrivileges, type Plan, type StepOp } from '../plan/plan.js';
import { verify } from './verify.js';
import type { ProcState, StatusReader } from './state.js';

export type Log = (line: string) => void;

const SIGHUP = 1;
const SIGCONT = 18;

/** Returns the state read back by the verification (the hand-off starts from it). */
export function apply(plan: Plan, log: Log, status: StatusReader): ProcState {
  // 0. Refuse before the first side effect if any step would fail for lack of privilege.
  const missing = missingPrivileges(plan);
  if (missing.length) throw new SecwrapError(missing[0]!);

  const want = (op: StepOp): boolean => plan.steps.some((s) => s.op === op);
  const say = (op: StepOp): void => {
    const s = plan.steps.find((x) => x.op === op);
    if (s) log(`${op}: ${s.detail}`);
  };

  // 1. A new session first, while /dev/tty is still reachable (CVE-2016-2779, CVE-2017-5226:
  //    a command sharing our controlling terminal could push input into it with TIOCSTI).
  if (want('new-session')) {
    say('new-session');
    newSession();
  }

  // 2. Mark every inherited descriptor close-on-exec except 0 1 2 and the kept ones, while /proc
  //    is still mounted (before chroot). runc closes leaked fds for the same reason: CVE-2024-21626.
  say('close-fds');
  markCloseOnExec(new Set([0, 1, 2, ...plan.keepFds]), new Set([status.fd]));

  // 3. chroot needs CAP_SYS_CHROOT and uid 0 semantics: before the uid change; then always
  //    chdir("/") so the old working directory is not reachable through ".".
  if (plan.chroot !== null) {
    say('chroot');
    libc.chroot(plan.chroot);
    libc.chdir('/');
  }

  // 4. Shrink the bounding set while CAP_SETPCAP is still effective (it is gone after setresuid).
  if (plan.caps && want('bounding-set')) {
    say('bounding-set');
    for (let c = 0; c <= plan.lastCap; c++) {
      const b = 1n << BigInt(c);
      if ((plan.before.bounding & b) !== 0n && (plan.caps.inheritable & b) === 0n) {
        libc.capbsetDrop(c);
      }
    }
  }

  // 5. Keep the permitted set across the uid change (per thread; execve clears it again).
  if (want('keep-caps')) {
    say('keep-caps');
    libc.prctl(libc.PR_SET_KEEPCAPS, 1);
  }

  // 6-8. Groups, then gid, then uid: each needs the privilege the next one gives up.
  if (plan.groups && want('groups')) {
    say('groups');
    libc.setgroups(plan.groups.list.map((g) => g.id));
  }
  if (want('gid')) {
    say('gid');
    const g = plan.expect.gid[0]!;
    libc.setresgid(g, g, g);
  }
  if (want('uid')) {
    say('uid');
    const u = plan.expect.uid[0]!;
    libc.setresuid(u, u, u);
  }

  // 9. The three sets: effective = permitted = R, inheritable = R ∪ I.
  if (plan.caps) {
    say('caps');
    libc.capset({ effective: plan.caps.retained, permitted: plan.caps.retained, inheritable: plan.caps.inheritable });
    // 10. Ambient after the uid change (setresuid clears it): a cap can be raised only while it
    //     is permitted and inheritable. Through ambient, a non-root command keeps R across execve.
    say('ambient');
    libc.prctl(libc.PR_CAP_AMBIENT, libc.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    for (let c = 0; c <= plan.lastCap; c++) {
      if ((plan.caps.retained & (1n << BigInt(c))) !== 0n) {
        libc.prctl(libc.PR_CAP_AMBIENT, libc.PR_CAP_AMBIENT_RAISE, c, 0, 0, `raising capability ${c} into the ambient set`);
      }
    }
  }
  if (want('keep-caps')) libc.prctl(libc.PR_SET_KEEPCAPS, 0);

  // 11. no_new_privs last among the credential steps (it only forbids gaining privileges).
  if (want('no-new-privs')) {
    say('no-new-privs');
    libc.prctl(libc.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  }

  // 12. Read everything back and compare with the plan.
  say('verify');
  return verify(plan, status);
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
    throw new SecwrapError(`cannot list open descriptors${code === 'ENOENT' ? ': /proc is not mounted' : ''} (/proc/self/fd: ${code})`);
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
      if (t === undefined) throw new SecwrapError(`descriptor ${fd} was to be passed on but is not open`);
      if (own.has(fd) || isNodeInternal(fd, t, targets)) throw new SecwrapError(`descriptor ${fd} was to be passed on but is secwrap's own (${t}), not one its caller opened`);
    }
  }
  // Everything from 3 up close-on-exec (the kept ones are cleared again at the hand-off).
  if (libc.closeRangeCloexec(3)) return;
  for (const fd of openFds()) {
    if (fd <= 2) continue;
    const flags = libc.fcntlIfOpen(fd, libc.F_GETFD);
    if (flags !== null && (flags & libc.FD_CLOEXEC) === 0) libc.fcntl(fd, libc.F_SETFD, flags | libc.FD_CLOEXEC);
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
