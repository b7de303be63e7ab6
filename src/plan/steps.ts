/**
 * The steps of a plan: what apply and the hand-off will do, each carrying its own arguments.
 * The plan (./order.ts, `planSteps`) is the one owner of their order; apply runs the credential
 * steps in that order up to `verify`, the hand-off (src/exec/handoff.ts) runs the rest, and
 * `explain` prints exactly this list. A new step is a new member here, one place in planSteps,
 * and one case in the stage that runs it (the compiler checks the case is there).
 */
import type { CapSets } from '../libc/libc.js';
import type { EnvMode } from './request.js';

type StepBody =
  | { op: 'new-session' }
  | { op: 'close-fds'; keep: readonly number[] }
  | {
      op: 'rlimits';
      limits: readonly { resource: number; name: string; soft: bigint; hard: bigint }[];
    }
  | { op: 'umask'; mask: number }
  | { op: 'lsm-label'; lsm: 'apparmor' | 'selinux'; label: string }
  | { op: 'landlock-paths'; paths: readonly string[] }
  | { op: 'chroot'; dir: string }
  | { op: 'bounding-set'; drop: readonly number[] }
  | { op: 'keep-caps'; on: boolean }
  | { op: 'groups'; gids: readonly number[] }
  | { op: 'gid'; gid: number }
  | { op: 'uid'; uid: number }
  | { op: 'securebits'; bits: number; raise: CapSets | null }
  | { op: 'caps'; sets: CapSets }
  | { op: 'ambient'; raise: readonly number[] }
  | { op: 'pdeathsig'; signal: number }
  | { op: 'no-new-privs' }
  | { op: 'landlock'; handled: bigint; rules: readonly { path: string; rights: bigint }[] }
  | { op: 'verify' }
  | { op: 'signals' }
  | { op: 'stdio'; keep: readonly number[] }
  | { op: 'env'; mode: EnvMode; set: Readonly<Record<string, string>> }
  | { op: 'exec'; command: readonly string[] };

/** One step: its arguments, what it does in words, and the capability it needs (effective). */
export type Step = StepBody & { detail: string; needs?: number };

export type StepOp = Step['op'];

/** The steps after verification: nothing among them changes credentials. */
export type HandOffStep = Extract<Step, { op: 'signals' | 'stdio' | 'env' | 'exec' }>;
/** The steps apply runs: the drop, ending with `verify`. */
export type ApplyStep = Exclude<Step, HandOffStep>;

const HAND_OFF: ReadonlySet<StepOp> = new Set<StepOp>(['signals', 'stdio', 'env', 'exec']);

export function isHandOff(s: Step): s is HandOffStep {
  return HAND_OFF.has(s.op);
}
