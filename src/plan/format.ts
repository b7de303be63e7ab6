/**
 * The plan printed: as text for people, as JSON for programs, and as the container settings a
 * plan needs (`docker run` flags, a Kubernetes securityContext). Pure functions of the plan and
 * of `missing`, what apply's pre-check says secwrap lacks (src/apply/preflight.ts).
 */
import { maskToHex, maskToNames } from '../caps/index.js';
import {
  CAP_SETGID,
  CAP_SETPCAP,
  CAP_SETUID,
  CAP_SYS_CHROOT,
  fmtLimit,
  fmtMode,
  type Expected,
  type Identity,
  type Plan,
} from './plan.js';
import { landlockRightNames, RLIM_INFINITY, securebitsNames, signalName } from './specs.js';

const fmt = (i: Identity | null): string =>
  i === null ? 'unchanged' : i.name === null ? `${i.id}` : `${i.id}(${i.name})`;
const capNames = (mask: bigint): string => maskToNames(mask).join(',') || 'none';

export function planToJson(plan: Plan, missing: readonly string[]): Record<string, unknown> {
  // The fields /proc/self/status shows, for the state before and the one expected after.
  const sets = (s: Expected) => ({
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
    groups: plan.groups && {
      from: plan.groups.from,
      list: plan.groups.list.map((g) => ({ gid: g.id, name: g.name })),
    },
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
    limits: plan.limits.map((l) => ({
      name: l.name,
      soft: fmtLimit(l.soft),
      hard: fmtLimit(l.hard),
      current: { soft: fmtLimit(l.current.soft), hard: fmtLimit(l.current.hard) },
      source: l.source,
      ...(l.why ? { why: l.why } : {}),
    })),
    umask: plan.umask === null ? null : fmtMode(plan.umask),
    securebits:
      plan.securebits === null
        ? null
        : { value: plan.securebits, names: securebitsNames(plan.securebits) },
    pdeathsig:
      plan.pdeathsig === null
        ? null
        : {
            signal: plan.pdeathsig,
            name: plan.pdeathsig === 0 ? 'none' : signalName(plan.pdeathsig),
          },
    landlock: plan.landlock && {
      abi: plan.landlock.abi,
      handled: landlockRightNames(plan.landlock.handled).split(','),
      rules: plan.landlock.rules.map((r) => ({
        path: r.path,
        allow: landlockRightNames(r.rights).split(','),
      })),
    },
    lsmLabel: plan.lsmLabel,
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
  lines.push(
    `plan${plan.configFile ? ` from ${plan.configFile}` : ' from flags'}${plan.command.length ? ` for: ${plan.command.join(' ')}` : ''}`,
  );
  lines.push(`  user          ${fmt(plan.user)}${src('user')}`);
  lines.push(`  group         ${fmt(plan.group)}${src('group')}`);
  lines.push(
    `  groups        ${plan.groups ? (plan.groups.list.map(fmt).join(' ') || 'none') + ` (${plan.groups.from})` : 'unchanged'}${src('groups')}`,
  );
  lines.push(`  chroot        ${plan.chroot ?? 'none'}${src('chroot')}`);
  if (plan.caps) {
    lines.push(`  capabilities  "${plan.caps.text}" = ${plan.caps.canonical}${src('caps')}`);
    lines.push(`    permitted, effective, ambient: ${capNames(plan.caps.retained)}`);
    lines.push(`    inheritable, bounding:         ${capNames(plan.caps.inheritable)}`);
  } else {
    lines.push('  capabilities  not touched');
  }
  if (plan.privileges)
    lines.push(
      `  privileges    "${plan.privileges.text}" (Solaris; not applied on Linux)${src('privileges')}`,
    );
  lines.push(`  no_new_privs  ${plan.expect.noNewPrivs ? 'yes' : 'no'}`);
  // The settings setpriv and Momentum add: printed only when planned.
  for (const l of plan.limits)
    lines.push(
      `  limit         ${l.name} ${fmtLimit(l.soft)}:${fmtLimit(l.hard)} (now ${fmtLimit(l.current.soft)}:${fmtLimit(l.current.hard)})   [${l.source}]`,
    );
  if (plan.umask !== null) lines.push(`  umask         ${fmtMode(plan.umask)}${src('umask')}`);
  if (plan.securebits !== null)
    lines.push(
      `  securebits    ${securebitsNames(plan.securebits)} (keep_caps is cleared by execve)${src('securebits')}`,
    );
  if (plan.pdeathsig !== null)
    lines.push(
      `  pdeathsig     ${plan.pdeathsig === 0 ? 'cleared' : signalName(plan.pdeathsig)}${src('pdeathsig')}`,
    );
  if (plan.landlock) {
    lines.push(
      `  landlock      ABI ${plan.landlock.abi}; denied unless a rule allows: ${landlockRightNames(plan.landlock.handled)}`,
    );
    for (const r of plan.landlock.rules)
      lines.push(`    allow ${r.path}: ${landlockRightNames(r.rights)}`);
  }
  if (plan.lsmLabel)
    lines.push(
      `  ${plan.lsmLabel.lsm === 'apparmor' ? 'apparmor     ' : 'selinux      '} ${plan.lsmLabel.label}${src('lsmLabel')}`,
    );
  lines.push(
    `  environment   ${
      plan.env.mode === 'keep'
        ? 'untouched'
        : Object.entries(plan.env.set)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')
    }${plan.env.mode === 'reset' ? ' (reset: only TERM kept)' : ''}`,
  );
  lines.push('steps:');
  plan.steps.forEach((s, i) => {
    lines.push(`  ${String(i + 1).padStart(2)}. ${s.op}: ${s.detail}`);
  });
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

/** Docker's --ulimit names (go-units): every prlimit name but `as`, which Docker does not take. */
const DOCKER_ULIMITS = new Set([
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
]);
const dockerLimit = (v: bigint): string => (v === RLIM_INFINITY ? '-1' : String(v));

/** SELinux's user:role:type:level (the level may hold colons itself). */
function seLinuxParts(label: string): {
  user?: string;
  role?: string;
  type?: string;
  level?: string;
} {
  const [user, role, type, ...level] = label.split(':');
  return { user, role, type, ...(level.length ? { level: level.join(':') } : {}) };
}

/** What a container runtime cannot set for this plan, one sentence each: secwrap still does it. */
export function unmapped(plan: Plan, target: 'docker' | 'k8s'): string[] {
  const out: string[] = [];
  if (target === 'k8s' && plan.limits.length) {
    out.push(
      `Kubernetes has no per-container ulimit: ${plan.limits.map((l) => `${l.name}=${fmtLimit(l.soft)}:${fmtLimit(l.hard)}`).join(', ')} must come from the container runtime's defaults; secwrap sets it (with CAP_SYS_RESOURCE to raise a hard limit)`,
    );
  }
  if (target === 'docker')
    for (const l of plan.limits)
      if (!DOCKER_ULIMITS.has(l.name))
        out.push(`docker run has no --ulimit ${l.name}; secwrap sets it`);
  if (plan.umask !== null)
    out.push(
      `no ${target === 'docker' ? 'docker run flag' : 'securityContext field'} sets the umask (${fmtMode(plan.umask)}); secwrap sets it`,
    );
  if (plan.securebits !== null)
    out.push(
      `securebits (${securebitsNames(plan.securebits)}) have no ${target === 'docker' ? 'docker run' : 'Kubernetes'} equivalent; secwrap sets them`,
    );
  if (plan.pdeathsig !== null)
    out.push(
      `the parent-death signal has no ${target === 'docker' ? 'docker run' : 'Kubernetes'} equivalent; secwrap sets it`,
    );
  if (plan.landlock) {
    out.push(
      `Landlock (${landlockRightNames(plan.landlock.handled)} denied outside ${plan.landlock.rules.map((r) => r.path).join(', ') || 'any path'}) cannot be expressed in ${target === 'docker' ? 'docker run flags' : 'a securityContext'}: no runtime option takes a Landlock ruleset; secwrap applies it`,
    );
  }
  return out;
}

export function planToDocker(plan: Plan): string {
  const flags = ['--cap-drop ALL', ...containerCaps(plan).map((c) => `--cap-add ${c}`)];
  for (const l of plan.limits)
    if (DOCKER_ULIMITS.has(l.name))
      flags.push(`--ulimit ${l.name}=${dockerLimit(l.soft)}:${dockerLimit(l.hard)}`);
  if (plan.lsmLabel?.lsm === 'apparmor')
    flags.push(`--security-opt apparmor=${plan.lsmLabel.label}`);
  if (plan.lsmLabel?.lsm === 'selinux') {
    for (const [k, v] of Object.entries(seLinuxParts(plan.lsmLabel.label)))
      if (v) flags.push(`--security-opt label=${k}:${v}`);
  }
  return flags.join(' ') + '\n';
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
    ...k8sLsm(plan),
  ];
  const notes = unmapped(plan, 'k8s').map((n) => `# ${n}`);
  if (notes.length) lines.splice(3, 0, ...notes);
  return lines.join('\n') + '\n';
}

function k8sLsm(plan: Plan): string[] {
  const l = plan.lsmLabel;
  if (!l) return [];
  if (l.lsm === 'apparmor') {
    return l.label === 'unconfined'
      ? ['  appArmorProfile:', '    type: Unconfined']
      : [
          '  appArmorProfile:',
          '    type: Localhost',
          `    localhostProfile: ${JSON.stringify(l.label)}`,
        ];
  }
  return [
    '  seLinuxOptions:',
    ...Object.entries(seLinuxParts(l.label)).flatMap(([k, v]) =>
      v ? [`    ${k}: ${JSON.stringify(v)}`] : [],
    ),
  ];
}
