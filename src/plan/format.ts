/**
 * The plan printed: as text for people, as JSON for programs, and as the container settings a
 * plan needs (`docker run` flags, a Kubernetes securityContext). Pure functions of the plan and
 * of `missing`, what apply's pre-check says secwrap lacks (src/apply/preflight.ts).
 */
import { maskToHex, maskToNames } from '../caps/index.js';
import { CAP_SETGID, CAP_SETPCAP, CAP_SETUID, CAP_SYS_CHROOT, type Identity, type Plan } from './plan.js';

const fmt = (i: Identity | null): string => (i === null ? 'unchanged' : i.name === null ? `${i.id}` : `${i.id}(${i.name})`);
const capNames = (mask: bigint): string => maskToNames(mask).join(',') || 'none';

export function planToJson(plan: Plan, missing: readonly string[]): Record<string, unknown> {
  const sets = (s: { uid: number[]; gid: number[]; groups: number[]; effective: bigint; permitted: bigint; inheritable: bigint; bounding: bigint; ambient: bigint; noNewPrivs: boolean }) => ({
    Uid: s.uid,
    Gid: s.gid,
    Groups: s.groups,
    CapInh: maskToHex(s.inheritable),
    CapPrm: maskToHex(s.permitted),
    CapEff: maskToHex(s.effective),
    CapBnd: maskToHex(s.bounding),
    CapAmb: maskToHex(s.ambient),
    NoNewPrivs: s.noNewPrivs ? 1 : 0,
  });
  return {
    command: plan.command,
    config: plan.configFile,
    sources: plan.sources,
    user: plan.user && { uid: plan.user.id, name: plan.user.name },
    group: plan.group && { gid: plan.group.id, name: plan.group.name },
    groups: plan.groups && { from: plan.groups.from, list: plan.groups.list.map((g) => ({ gid: g.id, name: g.name })) },
    chroot: plan.chroot,
    capabilities: plan.caps && {
      text: plan.caps.text,
      canonical: plan.caps.canonical,
      retained: maskToNames(plan.caps.retained),
      inheritable: maskToNames(plan.caps.inheritable),
      bounding: maskToNames(plan.caps.inheritable),
      ambient: maskToNames(plan.caps.retained),
    },
    privileges: plan.privileges,
    noNewPrivs: plan.noNewPrivs,
    newSession: plan.newSession,
    keepFds: plan.keepFds,
    env: plan.env,
    before: sets(plan.before),
    expect: sets(plan.expect),
    steps: plan.steps.map((s, i) => ({ n: i + 1, op: s.op, detail: s.detail })),
    notes: plan.notes,
    missingPrivileges: missing,
  };
}

export function planToText(plan: Plan, missing: readonly string[]): string {
  const src = (k: string): string => (plan.sources[k] ? `   [${plan.sources[k]}]` : '');
  const lines: string[] = [];
  lines.push(`plan${plan.configFile ? ` from ${plan.configFile}` : ' from flags'}${plan.command.length ? ` for: ${plan.command.join(' ')}` : ''}`);
  lines.push(`  user          ${fmt(plan.user)}${src('user')}`);
  lines.push(`  group         ${fmt(plan.group)}${src('group')}`);
  lines.push(`  groups        ${plan.groups ? (plan.groups.list.map(fmt).join(' ') || 'none') + ` (${plan.groups.from})` : 'unchanged'}${src('groups')}`);
  lines.push(`  chroot        ${plan.chroot ?? 'none'}${src('chroot')}`);
  if (plan.caps) {
    lines.push(`  capabilities  "${plan.caps.text}" = ${plan.caps.canonical}${src('caps')}`);
    lines.push(`    permitted, effective, ambient: ${capNames(plan.caps.retained)}`);
    lines.push(`    inheritable, bounding:         ${capNames(plan.caps.inheritable)}`);
  } else {
    lines.push('  capabilities  not touched');
  }
  if (plan.privileges) lines.push(`  privileges    "${plan.privileges.text}" (Solaris; not applied on Linux)${src('privileges')}`);
  lines.push(`  no_new_privs  ${plan.expect.noNewPrivs ? 'yes' : 'no'}`);
  lines.push(`  environment   ${plan.env.mode === 'keep' ? 'untouched' : Object.entries(plan.env.set).map(([k, v]) => `${k}=${v}`).join(' ')}${plan.env.mode === 'reset' ? ' (reset: only TERM kept)' : ''}`);
  lines.push('steps:');
  plan.steps.forEach((s, i) => lines.push(`  ${String(i + 1).padStart(2)}. ${s.op}: ${s.detail}`));
  if (plan.notes.length || missing.length) {
    lines.push('notes:');
    for (const n of plan.notes) lines.push(`  - ${n}`);
    for (const m of missing) lines.push(`  - would fail: ${m}`);
  }
  return lines.join('\n') + '\n';
}

/** The capabilities a container must grant for this plan: secwrap's own needs plus R ∪ I. */
export function containerCaps(plan: Plan): string[] {
  let needs = 0n;
  const bit = (c: number): bigint => 1n << BigInt(c);
  if (plan.user) needs |= bit(CAP_SETUID);
  if (plan.group || plan.groups) needs |= bit(CAP_SETGID);
  if (plan.chroot !== null) needs |= bit(CAP_SYS_CHROOT);
  let all = needs;
  if (plan.caps) {
    all |= plan.caps.inheritable;
    // The bounding set must shrink to R ∪ I whenever the container grants anything beyond it.
    if ((needs & ~plan.caps.inheritable) !== 0n) all |= bit(CAP_SETPCAP);
  }
  return maskToNames(all).map((n) => n.replace(/^cap_/, '').toUpperCase());
}

export function planToDocker(plan: Plan): string {
  return ['--cap-drop ALL', ...containerCaps(plan).map((c) => `--cap-add ${c}`)].join(' ') + '\n';
}

export function planToK8s(plan: Plan): string {
  const add = containerCaps(plan);
  const lines = [
    '# secwrap starts as root with only these capabilities, then drops to the planned user.',
    '# It loads its native part from an unnamed file in /dev/shm, /run, /tmp or /var/tmp (the',
    '# first root-owned, exec-allowed one): with readOnlyRootFilesystem, mount an emptyDir at /tmp.',
    'securityContext:',
    '  runAsUser: 0',
    '  runAsNonRoot: false',
    // Kubernetes refuses allowPrivilegeEscalation=false together with CAP_SYS_ADMIN.
    ...(add.includes('SYS_ADMIN') ? [] : ['  allowPrivilegeEscalation: false']),
    '  readOnlyRootFilesystem: true',
    '  capabilities:',
    '    drop:',
    '      - ALL',
    ...(add.length ? ['    add:', ...add.map((c) => `      - ${c}`)] : []),
  ];
  return lines.join('\n') + '\n';
}
