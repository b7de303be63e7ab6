/**
 * The clean hand-off: what the command inherits besides credentials. Node leaves the process
 * in a state no C wrapper would (fds 0-16 close-on-exec, SIGPIPE and SIGXFSZ ignored, O_NONBLOCK
 * possibly set on shared stdio); this undoes all of it and checks each result.
 */
import { SecwrapError } from '../errors.js';
import * as libc from '../libc/libc.js';
import type { Plan } from '../plan/plan.js';
import { isHandOff, type HandOffStep } from '../plan/steps.js';
import type { ProcState, StatusReader } from '../proc/status.js';
import { execCommand } from './exec.js';
import { O_NONBLOCK, startupStdioFlags } from './startup.js';

/**
 * The hand-off: the plan's steps after the verification (signals, stdio, env, exec), in the
 * plan's order. Nothing here changes credentials. `verified`: the state the verification read;
 * `argv`: the command's arguments as the caller's bytes (./argv.ts). Returns only by throwing.
 */
export function handOff(
  plan: Plan,
  verified: ProcState,
  status: StatusReader,
  argv: readonly Buffer[],
  log: (line: string) => void,
): never {
  for (const step of plan.steps) {
    if (!isHandOff(step)) continue;
    log(`${step.op}: ${step.detail}`);
    runStep(step, verified, status, argv);
  }
  throw new SecwrapError('the plan has no exec step: refused');
}

function runStep(
  step: HandOffStep,
  verified: ProcState,
  status: StatusReader,
  argv: readonly Buffer[],
): void {
  switch (step.op) {
    case 'signals':
      return resetSignals(status, verified.sigIgnored);
    case 'stdio':
      return restoreDescriptors(step.keep);
    case 'env':
      return applyEnv(step);
    case 'exec':
      return execCommand(argv, step.command);
  }
}

/**
 * Every ignored signal back to default (caught ones are reset by execve itself), empty mask;
 * both read back from /proc/self/status. Node ignores SIGPIPE and SIGXFSZ; a caller's ignored
 * signals were already reset by Node at its start, but any left are reset here too. `ignored`:
 * SigIgn as just read (by the verification).
 */
export function resetSignals(status: StatusReader, ignored: bigint): void {
  for (let sig = 1; sig <= 64; sig++) {
    if ((ignored & (1n << BigInt(sig - 1))) !== 0n) libc.sigSetDefault(sig);
  }
  libc.sigmaskClear();
  const after = status.read();
  if (after.sigIgnored !== 0n)
    throw new SecwrapError(
      `signals still ignored after the reset: SigIgn 0x${after.sigIgnored.toString(16)}`,
    );
  if (after.sigBlocked !== 0n)
    throw new SecwrapError(`signal mask is 0x${after.sigBlocked.toString(16)} after clearing it`);
}

/**
 * Stdio flags as found at start; 0 1 2 and the kept descriptors inherited across execve. Each
 * flag is read from the kernel, and read again after any change; a flag already as wanted is not
 * written (one fcntl call per descriptor in the usual case, each ≈ 12 µs through ffi-rs). When
 * Node created no stdio stream (./startup.ts), O_NONBLOCK is as found at start: nothing to restore.
 */
export function restoreDescriptors(keep: readonly number[]): void {
  const start = startupStdioFlags();
  for (const fd of [0, 1, 2]) {
    const fdFlags = libc.fcntlIfOpen(fd, libc.F_GETFD);
    if (fdFlags === null) continue; // not open at all: the command gets what we got
    if (start !== undefined) restoreNonblock(fd, start[fd]);
    clearCloexec(fd, fdFlags);
  }
  for (const fd of keep) {
    const fdFlags = libc.fcntlIfOpen(fd, libc.F_GETFD);
    if (fdFlags === null)
      throw new SecwrapError(`descriptor ${fd} was to be passed on but is not open`);
    clearCloexec(fd, fdFlags);
  }
}

/** O_NONBLOCK of `fd` back to what `original` (its flags at start) had. */
function restoreNonblock(fd: number, original: number | null | undefined): void {
  if (original === null || original === undefined) {
    throw new SecwrapError(
      `cannot restore the flags of descriptor ${fd}: they were unknown at start (is /proc mounted?)`,
    );
  }
  const want = original & O_NONBLOCK;
  const now = libc.fcntl(fd, libc.F_GETFL);
  if ((now & O_NONBLOCK) !== want) {
    libc.fcntl(fd, libc.F_SETFL, (now & ~O_NONBLOCK) | want);
    if ((libc.fcntl(fd, libc.F_GETFL) & O_NONBLOCK) !== want)
      throw new SecwrapError(`descriptor ${fd}: O_NONBLOCK could not be restored`);
  }
}

/** `flags`: the descriptor's F_GETFD flags, just read. */
function clearCloexec(fd: number, flags: number): void {
  if ((flags & libc.FD_CLOEXEC) === 0) return;
  libc.fcntl(fd, libc.F_SETFD, flags & ~libc.FD_CLOEXEC);
  if (libc.fcntl(fd, libc.F_GETFD) & libc.FD_CLOEXEC)
    throw new SecwrapError(`descriptor ${fd} is still close-on-exec`);
}

/** The environment the plan asks for (Plan.env, the `env` step). */
export type EnvPlan = Pick<Plan['env'], 'mode'> & { set: Readonly<Record<string, string>> };

/**
 * What the hand-off does to the environment: clear it first (reset mode, which then puts TERM
 * back), then set these variables. Everything else stays as the caller passed it.
 */
export function envChanges(
  plan: EnvPlan,
  env: NodeJS.ProcessEnv,
): { clear: boolean; set: [string, string][] } {
  const set: [string, string][] = [];
  const clear = plan.mode === 'reset';
  if (clear && env.TERM !== undefined) set.push(['TERM', env.TERM]);
  for (const [k, v] of Object.entries(plan.set)) set.push([k, v]);
  return { clear, set };
}

/**
 * Apply envChanges to this process's own environment, the C library's `environ`, which execvp
 * passes on: the variables secwrap does not change keep their exact bytes (rebuilding the list
 * from process.env would decode them as UTF-8 and turn bytes that are not UTF-8 into U+FFFD,
 * where setpriv passes them through). Read back through process.env (which reads `environ`).
 */
export function applyEnv(plan: EnvPlan): void {
  const { clear, set } = envChanges(plan, process.env);
  if (clear) libc.clearenv();
  for (const [k, v] of set) libc.setenv(k, v);
  for (const [k, v] of set) {
    if (process.env[k] !== v) throw new SecwrapError(`environment: ${k} is not what was set`);
  }
  if (clear) {
    const left = Object.keys(process.env).filter((k) => !set.some(([n]) => n === k));
    if (left.length)
      throw new SecwrapError(`environment: ${left.join(', ')} still set after clearing it`);
  }
}
