/**
 * The order of the drop: the one place that orders the plan's steps, each with the reason it
 * stands where it does (the kernel's rules, capabilities(7)). apply and the hand-off run them
 * as listed; explain prints them.
 */
import type { ProcState } from '../proc/status.js';
import {
  CAP_SETGID,
  CAP_SETPCAP,
  CAP_SETUID,
  CAP_SYS_CHROOT,
  CAP_SYS_RESOURCE,
  canSetUnprivileged,
  fmtId,
  fmtLimit,
  fmtMode,
  has,
  names,
  sameIds,
  wasRoot,
  type CapPlan,
  type Expected,
  type LandlockPlan,
  type Plan,
  type PlannedLimit,
} from './model.js';
import type { Request } from './request.js';
import { landlockRightNames, securebitsNames, signalName } from './specs.js';
import type { Step } from './steps.js';
/**
 * The steps, in the one fixed order that works (the kernel's rules, capabilities(7)). This is
 * the only place that orders them; apply and the hand-off run them as listed.
 */
export function planSteps(
  req: Request,
  state: ProcState,
  expect: Expected,
  p: {
    groups: Plan['groups'];
    caps: CapPlan | null;
    keepFds: number[];
    env: Plan['env'];
    lastCap: number;
    limits: PlannedLimit[];
    securebits: number | null;
    pdeathsig: number | null;
    landlock: LandlockPlan | null;
    lsmLabel: Plan['lsmLabel'];
  },
): Step[] {
  const { caps, groups, keepFds, env, securebits } = p;
  const uid = expect.uid[0]!;
  const gid = expect.gid[0]!;
  const uidChanges = !sameIds(expect.uid, state.uid);
  const steps: Step[] = [];
  // A new session first, while /dev/tty is still reachable (CVE-2016-2779, CVE-2017-5226: a
  // command sharing our controlling terminal could push input into it with TIOCSTI).
  if (req.newSession)
    steps.push({
      op: 'new-session',
      detail:
        'setsid(), or give up the controlling terminal (TIOCNOTTY) when a process-group leader',
    });
  // Every inherited descriptor close-on-exec but 0 1 2 and the kept ones, while /proc is still
  // there (before chroot). runc closes leaked fds for the same reason: CVE-2024-21626.
  steps.push({
    op: 'close-fds',
    keep: keepFds,
    detail: `mark every descriptor except 0 1 2${keepFds.length ? ` and ${keepFds[0]}-${keepFds[keepFds.length - 1]}` : ''} close-on-exec`,
  });
  // Resource limits while still privileged: raising a hard limit needs CAP_SYS_RESOURCE, which
  // the uid change takes away (Momentum sets its own descriptor limit as root, before it drops).
  // Before the chroot, so that /proc/self/limits is opened for the verification.
  if (p.limits.length) {
    const raise = p.limits.filter((l) => l.hard > l.current.hard);
    const what = p.limits
      .map((l) => `${l.name}=${fmtLimit(l.soft)}:${fmtLimit(l.hard)} [${l.source}]`)
      .join(', ');
    const why = raise
      .map((l) => `; raises the ${l.name} hard limit above the current ${fmtLimit(l.current.hard)}`)
      .join('');
    steps.push({
      op: 'rlimits',
      limits: p.limits.map(({ resource, name, soft, hard }) => ({ resource, name, soft, hard })),
      detail: `setrlimit ${what}${why}`,
      needs: raise.length ? CAP_SYS_RESOURCE : undefined,
    });
  }
  // The umask is no credential and nothing resets it: any time before exec; here, next to the
  // limits. The verification reads it back (Umask: in /proc/self/status).
  if (req.umask !== undefined)
    steps.push({ op: 'umask', mask: req.umask, detail: `umask(${fmtMode(req.umask)})` });
  // The LSM label of the next execve: written while still root and before no_new_privs (which
  // forbids most profile transitions), as setpriv does, and before the chroot, since a jail may
  // have no /proc. Credential changes keep it; execve applies it.
  if (p.lsmLabel) {
    const { lsm, label } = p.lsmLabel;
    steps.push({
      op: 'lsm-label',
      lsm,
      label,
      detail: `write "${lsm === 'apparmor' ? `exec ${label}` : label}" to /proc/self/attr/exec (${lsm === 'apparmor' ? 'AppArmor' : 'SELinux'}: applied at execve)`,
    });
  }
  // Landlock's rule paths are opened (O_PATH) here, before the chroot: they name host paths.
  if (p.landlock?.rules.length)
    steps.push({
      op: 'landlock-paths',
      paths: p.landlock.rules.map((r) => r.path),
      detail: `open ${p.landlock.rules.map((r) => r.path).join(' ')} (O_PATH) for the Landlock rules`,
    });
  // chroot needs CAP_SYS_CHROOT and uid 0: before the uid change; then chdir("/") always, so the
  // old working directory is not reachable through ".".
  if (req.chroot !== undefined)
    steps.push({
      op: 'chroot',
      dir: req.chroot,
      detail: `chroot("${req.chroot}") then chdir("/")`,
      needs: CAP_SYS_CHROOT,
    });
  // The bounding set shrinks while CAP_SETPCAP is still effective (setresuid takes it away).
  if (caps && (state.bounding & ~caps.inheritable) !== 0n) {
    const drop: number[] = [];
    for (let c = 0; c <= p.lastCap; c++)
      if (has(state.bounding, c) && !has(caps.inheritable, c)) drop.push(c);
    steps.push({
      op: 'bounding-set',
      drop,
      detail: `drop ${drop.length} capabilities from the bounding set, keeping ${names(caps.inheritable)}`,
      needs: CAP_SETPCAP,
    });
  }
  // Keep the permitted set across the uid change (per thread; execve clears it again).
  // Securebits need it too: they are set after the uid change, with CAP_SETPCAP in effect.
  const keepCaps =
    (caps !== null || securebits !== null) &&
    uidChanges &&
    wasRoot(state) &&
    expect.uid.every((u) => u !== 0);
  if (keepCaps)
    steps.push({
      op: 'keep-caps',
      on: true,
      detail: 'prctl(PR_SET_KEEPCAPS, 1) so the uid change keeps the permitted set',
    });
  // Groups, then gid, then uid: each needs the privilege the next one gives up.
  if (groups && !sameIds(expect.groups, state.groups)) {
    steps.push({
      op: 'groups',
      gids: groups.list.map((g) => g.id),
      detail: `setgroups(${groups.list.map(fmtId).join(', ') || 'none'})`,
      needs: CAP_SETGID,
    });
  }
  if (!sameIds(expect.gid, state.gid))
    steps.push({
      op: 'gid',
      gid,
      detail: `setresgid(${gid}, ${gid}, ${gid})`,
      needs: canSetUnprivileged(expect.gid, state.gid) ? undefined : CAP_SETGID,
    });
  if (uidChanges)
    steps.push({
      op: 'uid',
      uid,
      detail: `setresuid(${uid}, ${uid}, ${uid})`,
      needs: canSetUnprivileged(expect.uid, state.uid) ? undefined : CAP_SETUID,
    });
  // Securebits after the uid change, where setpriv sets them: set before it, no_setuid_fixup
  // would keep root's capabilities across setresuid. Writing them takes CAP_SETPCAP in effect;
  // after a change away from root, the permitted set that keep-caps kept is raised for the call.
  if (securebits !== null) {
    const raise = keepCaps
      ? { effective: state.permitted, permitted: state.permitted, inheritable: state.inheritable }
      : null;
    steps.push({
      op: 'securebits',
      bits: securebits,
      raise,
      detail: `${raise ? 'capset(effective=permitted), then ' : ''}prctl(PR_SET_SECUREBITS, ${securebitsNames(securebits)})`,
      needs: CAP_SETPCAP,
    });
  }
  if (caps) {
    // effective = permitted = R, inheritable = R ∪ I.
    steps.push({
      op: 'caps',
      sets: { effective: caps.retained, permitted: caps.retained, inheritable: caps.inheritable },
      detail: `capset(effective=permitted=${names(caps.retained)}, inheritable=${names(caps.inheritable)})`,
    });
    // Ambient after the uid change (setresuid clears it): a cap can be raised only while it is
    // permitted and inheritable. Through ambient, a non-root command keeps R across execve.
    const raise: number[] = [];
    for (let c = 0; c <= p.lastCap; c++) if (has(caps.retained, c)) raise.push(c);
    steps.push({
      op: 'ambient',
      raise,
      detail: `clear the ambient set, then raise ${names(caps.retained)}`,
    });
  } else if (securebits !== null && keepCaps) {
    // The permitted set was kept only to write the securebits: drop it, as the uid change would.
    steps.push({
      op: 'caps',
      sets: { effective: 0n, permitted: 0n, inheritable: state.inheritable },
      detail: 'capset(effective=permitted=none): drop what was kept for the securebits',
    });
  }
  // Not with securebits: they hold keep_caps themselves (setpriv leaves it set), a locked
  // keep_caps cannot be cleared, and execve clears it anyway.
  if (keepCaps && securebits === null)
    steps.push({
      op: 'keep-caps',
      on: false,
      detail: 'prctl(PR_SET_KEEPCAPS, 0): back to the default',
    });
  // The parent-death signal after every credential change, which clears it (a uid, gid or
  // capability change); setpriv sets it after them too. execve keeps it.
  if (p.pdeathsig !== null)
    steps.push({
      op: 'pdeathsig',
      signal: p.pdeathsig,
      detail: `prctl(PR_SET_PDEATHSIG, ${p.pdeathsig === 0 ? '0): cleared' : `${signalName(p.pdeathsig)})`}`,
    });
  // no_new_privs last among the credential steps (it only forbids gaining privileges). Landlock
  // requires it of an unprivileged process, and setpriv sets it with --landlock-access too.
  if (req.noNewPrivs || p.landlock)
    steps.push({
      op: 'no-new-privs',
      detail: `prctl(PR_SET_NO_NEW_PRIVS, 1)${req.noNewPrivs ? '' : ' (Landlock needs it)'}`,
    });
  // Landlock last before the verification: it only restricts, and it must follow the chroot and
  // every step that opens a path (the verification reads descriptors opened before).
  if (p.landlock) {
    const ll = p.landlock;
    const rules = ll.rules.map((r) => `${r.path}: ${landlockRightNames(r.rights)}`).join('; ');
    steps.push({
      op: 'landlock',
      handled: ll.handled,
      rules: ll.rules,
      detail: `Landlock ABI ${ll.abi}: deny ${landlockRightNames(ll.handled)}${rules ? ` except ${rules}` : ' everywhere'}`,
    });
  }
  // Read everything back and compare with the plan; the hand-off follows only a verified state.
  const extra = [
    p.limits.length ? 'limits' : '',
    req.umask !== undefined ? 'umask' : '',
    securebits !== null ? 'securebits' : '',
    p.pdeathsig !== null ? 'pdeathsig' : '',
  ].filter((x) => x);
  steps.push({
    op: 'verify',
    detail: `read back uids, gids, groups, capability sets, bounding and ambient sets, no_new_privs${extra.length ? ', ' + extra.join(', ') : ''}; abort on any difference`,
  });
  steps.push({ op: 'signals', detail: 'every signal disposition to default, empty signal mask' });
  steps.push({
    op: 'stdio',
    keep: keepFds,
    detail:
      'restore the status flags of 0 1 2 as found at start; clear close-on-exec on kept descriptors',
  });
  steps.push({
    op: 'env',
    mode: env.mode,
    set: env.set,
    detail:
      env.mode === 'keep'
        ? 'environment untouched'
        : `${env.mode === 'reset' ? 'only TERM kept; ' : ''}set ${Object.entries(env.set)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`,
  });
  steps.push({
    op: 'exec',
    command: req.command,
    detail: `execve ${req.command.length ? req.command.join(' ') : 'COMMAND'} in this PID (PATH search after the drop${req.chroot !== undefined ? ', inside the chroot' : ''})`,
  });
  return steps;
}
