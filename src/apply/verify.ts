/**
 * verify: read the real credential state back with system calls and compare it, field by field,
 * with what the plan expects. Any difference aborts (exit 125) before the command runs.
 */
import { SecwrapError } from '../errors.js';
import type { Expected, Plan } from '../plan/plan.js';
import type { ProcState, StatusReader } from '../proc/status.js';

const hex = (v: bigint): string => '0x' + v.toString(16).padStart(16, '0');

/** The differences between a state and the expectation, one phrase each. */
export function differences(state: ProcState, expect: Expected): string[] {
  const out: string[] = [];
  const list = (a: readonly number[]): string => a.join(',') || '(none)';
  if (list(state.uid) !== list(expect.uid)) out.push(`uids are ${list(state.uid)}, planned ${list(expect.uid)}`);
  if (list(state.gid) !== list(expect.gid)) out.push(`gids are ${list(state.gid)}, planned ${list(expect.gid)}`);
  if (list(state.groups) !== list(expect.groups)) out.push(`groups are ${list(state.groups)}, planned ${list(expect.groups)}`);
  for (const k of ['effective', 'permitted', 'inheritable', 'bounding', 'ambient'] as const) {
    if (state[k] !== expect[k]) out.push(`${k} set is ${hex(state[k])}, planned ${hex(expect[k])}`);
  }
  if (state.noNewPrivs !== expect.noNewPrivs) out.push(`no_new_privs is ${state.noNewPrivs ? 1 : 0}, planned ${expect.noNewPrivs ? 1 : 0}`);
  return out;
}

/** The state read back, when it is the planned one. */
export function verify(plan: Plan, status: StatusReader): ProcState {
  const state = status.read();
  const diff = differences(state, plan.expect);
  if (diff.length) throw new SecwrapError(`verification failed: ${diff.join('; ')}`);
  return state;
}
