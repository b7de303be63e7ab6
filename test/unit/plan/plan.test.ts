// The plan is plain data computed from a request and a process state: these tests give it
// states (root with the full set, root in a container, an unprivileged user) and check the
// expected result, the fixed step order, and what secwrap would lack.
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { buildPlan, type Plan } from '../../../src/plan/plan.js';
import { missingPrivileges } from '../../../src/apply/preflight.js';
import { buildRequest, type Flags } from '../../../src/plan/request.js';
import {
  planToDocker,
  planToJson,
  planToK8s,
  planToText,
  containerCaps,
} from '../../../src/plan/format.js';
import { differences } from '../../../src/apply/verify.js';
import { envChanges } from '../../../src/exec/handoff.js';
import { capLastCap } from '../../../src/caps/index.js';
import type { ProcState } from '../../../src/proc/status.js';
import { getpwnam } from '../../../src/libc/libc.js';

const last = capLastCap();
const FULL = (1n << BigInt(last + 1)) - 1n;
const root = (over: Partial<ProcState> = {}): ProcState => ({
  uid: [0, 0, 0, 0],
  gid: [0, 0, 0, 0],
  groups: [0],
  effective: FULL,
  permitted: FULL,
  inheritable: 0n,
  bounding: FULL,
  ambient: 0n,
  noNewPrivs: false,
  umask: 0o22,
  sigIgnored: 0n,
  sigBlocked: 0n,
  ...over,
});
const plan = (
  flags: Flags,
  state = root(),
  command = ['true'],
  env: NodeJS.ProcessEnv = {},
): Plan =>
  buildPlan(buildRequest(flags, null, command), { state, pid: 1234, env, stdinIsTty: false });
const NBS = 1n << 10n;

test('user + caps: the expected state is the issue formula', () => {
  const p = plan({ user: 'nobody', caps: 'cap_net_bind_service+ep cap_kill+i' });
  assert.deepEqual(p.expect.uid, [65534, 65534, 65534, 65534]);
  assert.deepEqual(p.expect.gid, [65534, 65534, 65534, 65534]);
  assert.equal(p.expect.permitted, NBS);
  assert.equal(p.expect.effective, NBS);
  assert.equal(p.expect.ambient, NBS);
  assert.equal(p.expect.inheritable, NBS | (1n << 5n));
  assert.equal(p.expect.bounding, NBS | (1n << 5n));
  assert.deepEqual(
    p.steps.map((s) => s.op),
    [
      'close-fds',
      'bounding-set',
      'keep-caps',
      'groups',
      'gid',
      'uid',
      'caps',
      'ambient',
      'keep-caps',
      'verify',
      'signals',
      'stdio',
      'env',
      'exec',
    ],
  );
  assert.deepEqual(missingPrivileges(p), []);
  assert.ok(p.notes.some((n) => n.includes('cap_kill: inheritable only')));
});

test('no capabilities option: a non-root target ends with none, bounding untouched', () => {
  const p = plan({ user: 'nobody' });
  assert.equal(p.expect.permitted, 0n);
  assert.equal(p.expect.effective, 0n);
  assert.equal(p.expect.bounding, FULL);
  assert.ok(!p.steps.some((s) => s.op === 'keep-caps' || s.op === 'bounding-set'));
});

test('root target: limited by the bounding set, noted', () => {
  const p = plan({ caps: 'cap_chown+ep' });
  assert.deepEqual(p.expect.uid, [0, 0, 0, 0]);
  assert.equal(p.expect.bounding, 1n);
  assert.ok(!p.steps.some((s) => s.op === 'uid' || s.op === 'keep-caps' || s.op === 'groups'));
  assert.ok(p.notes.some((n) => n.includes('runs as root')));
});

test('a capability outside the bounding set, or beyond the last cap, is refused', () => {
  assert.throws(
    () => plan({ caps: 'cap_net_raw+ep' }, root({ bounding: FULL & ~(1n << 13n) })),
    /cap_net_raw is not in the current bounding set/,
  );
  if (last < 63)
    assert.throws(() => plan({ caps: '63+ep' }), /beyond this kernel's last capability/);
});

test('an unprivileged caller: the missing capability is named', () => {
  const user = root({
    uid: [1000, 1000, 1000, 1000],
    gid: [1000, 1000, 1000, 1000],
    groups: [1000],
    effective: 0n,
    permitted: 0n,
    bounding: FULL,
  });
  const p = plan({ user: 'nobody' }, user);
  const m = missingPrivileges(p);
  assert.ok(
    m.some((x) => x.includes('CAP_SETUID')),
    m.join('\n'),
  );
  assert.ok(
    m.some((x) => x.includes('CAP_SETGID')),
    m.join('\n'),
  );
  assert.deepEqual(missingPrivileges(plan({}, user)), []);
  assert.ok(planToText(p, m).includes('would fail: secwrap lacks'));
});

test('retaining a cap secwrap does not hold is refused before anything happens', () => {
  const p = plan(
    { user: 'nobody', caps: 'cap_net_bind_service+ep' },
    root({ permitted: FULL & ~NBS, effective: FULL & ~NBS }),
  );
  assert.ok(
    missingPrivileges(p).some((m) =>
      m.includes("cap_net_bind_service: not in secwrap's permitted set"),
    ),
  );
});

test('supplementary groups: explicit list, initgroups, none for a group alone', () => {
  assert.deepEqual(
    plan({ user: 'nobody', groups: '0,nogroup' }).groups?.list.map((g) => g.id),
    [0, 65534],
  );
  assert.equal(plan({ user: 'nobody' }).groups?.from, 'initgroups');
  assert.deepEqual(plan({ group: 'nogroup' }).groups, { list: [], from: 'none' });
  assert.equal(plan({}).groups, null);
});

test('numeric user without entry: needs a group; HOME=/ and USER=uid', () => {
  assert.throws(() => plan({ user: '4000000000' }), /has no passwd entry/);
  const p = plan({ user: '4000000000', group: '4000000000' });
  assert.deepEqual(p.env.set, { HOME: '/', USER: '4000000000', LOGNAME: '4000000000' });
  assert.deepEqual(p.groups, { list: [], from: 'none' });
});

test('environment modes', () => {
  const env = { PATH: '/evil:/usr/bin', TERM: 'vt100', FOO: 'x', HOME: '/root' };
  // The default: three variables from the target's passwd entry; nothing cleared (FOO, PATH stay).
  const d = envChanges(plan({ user: 'nobody' }, root(), ['true'], env).env, env);
  assert.deepEqual(d, {
    clear: false,
    set: [
      ['HOME', '/nonexistent'],
      ['USER', 'nobody'],
      ['LOGNAME', 'nobody'],
    ],
  });
  const k = envChanges(plan({ user: 'nobody', keepEnv: true }, root(), ['true'], env).env, env);
  assert.deepEqual(k, { clear: false, set: [] });
  const r = envChanges(plan({ user: 'nobody', resetEnv: true }, root(), ['true'], env).env, env);
  assert.equal(r.clear, true);
  assert.deepEqual(Object.fromEntries(r.set), {
    TERM: 'vt100',
    HOME: '/nonexistent',
    USER: 'nobody',
    LOGNAME: 'nobody',
    SHELL: '/usr/sbin/nologin',
    PATH: '/usr/local/bin:/usr/bin:/bin',
  });
  const noTerm = envChanges(
    plan({ user: 'nobody', resetEnv: true }, root(), ['true'], { PATH: '/x' }).env,
    { PATH: '/x' },
  );
  assert.ok(!noTerm.set.some(([n]) => n === 'TERM'));
});

test('socket activation counts only for this PID; --preserve-fds', () => {
  assert.deepEqual(
    plan({}, root(), ['true'], { LISTEN_PID: '1234', LISTEN_FDS: '2' }).keepFds,
    [3, 4],
  );
  assert.deepEqual(plan({}, root(), ['true'], { LISTEN_PID: '99', LISTEN_FDS: '2' }).keepFds, []);
  assert.deepEqual(
    plan({ preserveFds: 3 }, root(), ['true'], { LISTEN_PID: '1234', LISTEN_FDS: '1' }).keepFds,
    [3, 4, 5],
  );
  assert.deepEqual(plan({}, root(), ['true'], { LISTEN_PID: '1234' }).keepFds, []);
  // decimal digits only, as systemd reads it; anything else for this PID is refused
  for (const bad of ['', ' 2', '2 ', '+2', '0x2', '2e0', '2.0', '-1', '٢']) {
    assert.throws(
      () => plan({}, root(), ['true'], { LISTEN_PID: '1234', LISTEN_FDS: bad }),
      /LISTEN_FDS \(for this PID\) is not a decimal number/,
      JSON.stringify(bad),
    );
  }
  assert.deepEqual(plan({}, root(), ['true'], { LISTEN_PID: '99', LISTEN_FDS: '0x2' }).keepFds, []); // not ours: not read
});

test('Solaris privileges: a note with the Linux reading, never applied', () => {
  const who = { user: 'nobody', group: 'nogroup' };
  const p = buildPlan(
    buildRequest({}, { settings: { ...who, privileges: 'basic net_privaddr' }, sources: {} }, [
      'true',
    ]),
    { state: root(), pid: 1, env: {}, stdinIsTty: false },
  );
  assert.ok(
    p.notes.some((n) => n.includes('not applied on Linux') && n.includes('cap_net_bind_service')),
  );
  assert.equal(p.caps, null);
  assert.throws(
    () =>
      buildPlan(
        buildRequest({}, { settings: { ...who, privileges: 'basic no_such_priv' }, sources: {} }, [
          'true',
        ]),
        { state: root(), pid: 1, env: {}, stdinIsTty: false },
      ),
    /privileges/,
  );
});

test("a config without user or group takes Momentum's defaults (ecuser); flags alone take none", () => {
  const req = buildRequest({ config: 'e.conf' }, { settings: {}, sources: {} }, ['true']);
  assert.equal(req.user, 'ecuser');
  assert.equal(req.group, 'ecuser');
  assert.equal(req.sources.user, "Momentum's default");
  if (getpwnam('ecuser') === null) {
    // Where there is no ecuser, the error says whose default it is and how to choose another.
    assert.throws(
      () => buildPlan(req, { state: root(), pid: 1, env: {}, stdinIsTty: false }),
      /user ecuser does not exist: it is Momentum's default .* set user = NAME in the security scope of e\.conf \(or -u NAME\)/,
    );
  } else {
    assert.equal(
      buildPlan(req, { state: root(), pid: 1, env: {}, stdinIsTty: false }).user?.name,
      'ecuser',
    );
  }
  const flags = buildRequest({ user: 'nobody' }, null, ['true']);
  assert.equal(flags.group, undefined);
  assert.equal(
    buildPlan(flags, { state: root(), pid: 1, env: {}, stdinIsTty: false }).group?.name,
    'nogroup',
  );
  // A flag overrides the default option by option; explicit root is said to be explicit.
  const asRoot = buildRequest(
    { config: 'e.conf', user: 'root', group: 'root' },
    { settings: {}, sources: {} },
    ['true'],
  );
  const p = buildPlan(asRoot, { state: root(), pid: 1, env: {}, stdinIsTty: false });
  assert.ok(
    p.notes.some((n) =>
      n.startsWith('the command runs as root (uid 0): user root is set explicitly (--user)'),
    ),
    p.notes.join('\n'),
  );
});

test('a TTY on stdin without --new-session is noted', () => {
  const req = buildRequest({ user: 'nobody' }, null, ['sh']);
  assert.ok(
    buildPlan(req, { state: root(), pid: 1, env: {}, stdinIsTty: true }).notes.some((n) =>
      n.includes('TIOCSTI'),
    ),
  );
  const req2 = buildRequest({ user: 'nobody', newSession: true }, null, ['sh']);
  const p2 = buildPlan(req2, { state: root(), pid: 1, env: {}, stdinIsTty: true });
  assert.ok(!p2.notes.some((n) => n.includes('TIOCSTI')));
  assert.equal(p2.steps[0]?.op, 'new-session');
});

test('container formats: secwrap needs only what the plan uses', () => {
  assert.deepEqual(containerCaps(plan({ user: 'nobody', caps: 'cap_net_bind_service+ep' })), [
    'SETGID',
    'SETUID',
    'SETPCAP',
    'NET_BIND_SERVICE',
  ]);
  assert.deepEqual(containerCaps(plan({ user: 'nobody' })), ['SETGID', 'SETUID']);
  assert.deepEqual(containerCaps(plan({ caps: 'cap_net_bind_service+ep' })), ['NET_BIND_SERVICE']);
  assert.deepEqual(containerCaps(plan({ user: 'nobody', caps: 'cap_setuid,cap_setgid+ep' })), [
    'SETGID',
    'SETUID',
  ]);
  assert.equal(
    planToDocker(plan({ user: 'nobody' })),
    '--cap-drop ALL --cap-add SETGID --cap-add SETUID\n',
  );
  const k8s = planToK8s(plan({ user: 'nobody', caps: 'cap_sys_admin+ep' }));
  assert.ok(k8s.includes('      - SYS_ADMIN') && !k8s.includes('allowPrivilegeEscalation'));
  assert.ok(planToK8s(plan({ user: 'nobody' })).includes('  allowPrivilegeEscalation: false'));
});

test('JSON plan: masks as /proc prints them, steps numbered', () => {
  const j = planToJson(plan({ user: 'nobody', caps: 'cap_net_bind_service+ep' }), []) as {
    expect: Record<string, unknown>;
    steps: { n: number }[];
  };
  assert.equal(j.expect.CapAmb, '0000000000000400');
  assert.deepEqual(j.expect.Uid, [65534, 65534, 65534, 65534]);
  assert.deepEqual(
    j.steps.map((s) => s.n),
    j.steps.map((_, i) => i + 1),
  );
  assert.doesNotThrow(() => JSON.stringify(j));
});

test('verify: every field difference is reported', () => {
  const p = plan({ user: 'nobody', caps: 'cap_net_bind_service+ep' });
  const good: ProcState = {
    uid: p.expect.uid,
    gid: p.expect.gid,
    groups: p.expect.groups,
    effective: NBS,
    permitted: NBS,
    inheritable: NBS,
    bounding: NBS,
    ambient: NBS,
    noNewPrivs: false,
    umask: 0o22,
    sigIgnored: 0n,
    sigBlocked: 0n,
  };
  assert.deepEqual(differences(good, p.expect), []);
  const bad = {
    ...good,
    uid: [65534, 65534, 0, 65534],
    ambient: 0n,
    groups: [0],
    noNewPrivs: true,
  };
  const d = differences(bad, p.expect);
  assert.equal(d.length, 4);
  assert.ok(d.some((x) => x.startsWith('uids are 65534,65534,0,65534')));
  assert.ok(d.some((x) => x.startsWith('ambient set is 0x0000000000000000')));
});

test('parseStatus reads this process: the fields setpriv is compared on', async () => {
  const { readState, parseStatus } = await import('../../../src/proc/status.js');
  const s = readState();
  assert.equal(s.uid.length, 4);
  assert.equal(s.uid[1], process.geteuid!());
  assert.equal(s.gid[1], process.getegid!());
  assert.ok(s.bounding > 0n);
  const text = '\n' + readFileSync('/proc/self/status', 'latin1');
  assert.equal(parseStatus(text).uid[0], process.getuid!());
  assert.throws(() => parseStatus(text.replace(/\nGid:[^\n]*/, '')), /has no Gid line/);
  assert.throws(() => parseStatus(text.replace(/\nCapAmb:[^\n]*/, '')), /has no CapAmb line/);
});
