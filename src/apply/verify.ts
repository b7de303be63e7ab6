/**
 * verify: read the real credential state back with system calls and compare it, field by field,
 * with what the plan expects. Any difference aborts (exit 125) before the command runs.
 */
import { SecwrapError } from '../errors.js';
import * as libc from '../libc/libc.js';
import { fmtLimit, fmtMode, type Expected, type Plan } from '../plan/plan.js';
import type { LimitPair, LimitsReader } from '../proc/limits.js';
import type { ProcState, StatusReader } from '../proc/status.js';

const hex = (v: bigint): string => '0x' + v.toString(16).padStart(16, '0');

/** The differences between a state and the expectation, one phrase each. */
export function differences(state: ProcState, expect: Expected): string[] {
  const out: string[] = [];
  const list = (a: readonly number[]): string => a.join(',') || '(none)';
  if (list(state.uid) !== list(expect.uid))
    out.push(`uids are ${list(state.uid)}, planned ${list(expect.uid)}`);
  if (list(state.gid) !== list(expect.gid))
    out.push(`gids are ${list(state.gid)}, planned ${list(expect.gid)}`);
  if (list(state.groups) !== list(expect.groups))
    out.push(`groups are ${list(state.groups)}, planned ${list(expect.groups)}`);
  for (const k of ['effective', 'permitted', 'inheritable', 'bounding', 'ambient'] as const) {
    if (state[k] !== expect[k]) out.push(`${k} set is ${hex(state[k])}, planned ${hex(expect[k])}`);
  }
  if (state.noNewPrivs !== expect.noNewPrivs)
    out.push(`no_new_privs is ${state.noNewPrivs ? 1 : 0}, planned ${expect.noNewPrivs ? 1 : 0}`);
  if (state.umask !== expect.umask)
    out.push(`umask is ${fmtMode(state.umask)}, planned ${fmtMode(expect.umask)}`);
  return out;
}

/** The settings /proc/self/status does not show, read with their own calls: only those planned. */
export function attributeDifferences(
  plan: Plan,
  limits: readonly LimitPair[] | null,
  securebits: number | null,
  pdeathsig: number | null,
): string[] {
  const out: string[] = [];
  for (const l of plan.limits) {
    const got = limits?.[l.resource];
    if (!got) out.push(`the ${l.name} limit could not be read back`);
    else if (got.soft !== l.soft || got.hard !== l.hard)
      out.push(
        `${l.name} limit is ${fmtLimit(got.soft)}:${fmtLimit(got.hard)}, planned ${fmtLimit(l.soft)}:${fmtLimit(l.hard)}`,
      );
  }
  if (plan.securebits !== null && securebits !== plan.securebits)
    out.push(
      `securebits are 0x${(securebits ?? 0).toString(16)}, planned 0x${plan.securebits.toString(16)}`,
    );
  if (plan.pdeathsig !== null && pdeathsig !== plan.pdeathsig)
    out.push(`the parent-death signal is ${pdeathsig}, planned ${plan.pdeathsig}`);
  return out;
}

/** The state read back, when it is the planned one. */
export function verify(plan: Plan, status: StatusReader, limits?: LimitsReader): ProcState {
  const state = status.read();
  const diff = differences(state, plan.expect);
  // Nothing more is read unless one of these settings is planned.
  if (plan.limits.length || plan.securebits !== null || plan.pdeathsig !== null) {
    diff.push(
      ...attributeDifferences(
        plan,
        limits ? limits.read() : null,
        plan.securebits !== null ? libc.getSecurebits() : null,
        plan.pdeathsig !== null ? libc.getPdeathsig() : null,
      ),
    );
  }
  if (diff.length) throw new SecwrapError(`verification failed: ${diff.join('; ')}`);
  return state;
}
