/**
 * apply's pre-check: what secwrap itself lacks to carry out the plan, one sentence each (empty:
 * nothing). apply refuses to start when this is not empty, so a missing privilege never leaves a
 * half-applied drop; `explain` prints the same sentences as "would fail".
 */
import { CAP_SETPCAP, capLabel, names, type Plan } from '../plan/plan.js';

const has = (mask: bigint, c: number): boolean => (mask & (1n << BigInt(c))) !== 0n;

export function missingPrivileges(plan: Plan): string[] {
  const out: string[] = [];
  const eff = plan.before.effective;
  for (const s of plan.steps) {
    if (s.needs !== undefined && !has(eff, s.needs)) {
      out.push(
        `secwrap lacks ${capLabel(s.needs).toUpperCase()} (needed for ${s.op}: ${s.detail}); run it as root or grant that capability`,
      );
    }
  }
  if (plan.caps) {
    const missing = plan.caps.retained & ~plan.before.permitted;
    if (missing !== 0n)
      out.push(
        `cannot retain ${names(missing)}: not in secwrap's permitted set (grant it to the container or process)`,
      );
    const inhMissing = plan.caps.inheritable & ~(plan.before.permitted | plan.before.inheritable);
    if (inhMissing !== 0n && !has(eff, CAP_SETPCAP))
      out.push(
        `cannot make ${names(inhMissing)} inheritable: not permitted and secwrap lacks CAP_SETPCAP`,
      );
  }
  return out;
}
