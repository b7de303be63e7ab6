// The text of setpriv's and prlimit's options, read as they read it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  landlockFsMask,
  landlockRightNames,
  parseLandlockAccess,
  parseLandlockRule,
  parsePdeathsig,
  parseRlimit,
  parseSecurebits,
  parseUmask,
  RLIM_INFINITY,
  securebitsFrom,
  signalFromName,
} from '../../../src/plan/specs.js';
import { buildRequest } from '../../../src/plan/request.js';
import { parseLimits } from '../../../src/proc/limits.js';
import { parseStatus } from '../../../src/proc/status.js';
import { readFileSync } from 'node:fs';

test('rlimit: NAME=SOFT[:HARD], one value for both, unlimited, prlimit names', () => {
  assert.deepEqual(parseRlimit('nofile=80000'), {
    resource: 7,
    name: 'nofile',
    soft: 80000n,
    hard: 80000n,
  });
  assert.deepEqual(parseRlimit('core=0:unlimited'), {
    resource: 4,
    name: 'core',
    soft: 0n,
    hard: RLIM_INFINITY,
  });
  assert.equal(parseRlimit('NPROC=10:20').resource, 6);
  for (const n of [
    'nofile',
    'nproc',
    'core',
    'memlock',
    'as',
    'fsize',
    'stack',
    'cpu',
    'data',
    'locks',
    'msgqueue',
    'nice',
    'rtprio',
    'rttime',
    'sigpending',
  ]) {
    assert.doesNotThrow(() => parseRlimit(`${n}=1`), n);
  }
  for (const bad of [
    'nofile',
    '=1',
    'rss=1',
    'nofile=',
    'nofile=-1',
    'nofile=1.5',
    'nofile=0x10',
    'nofile=2:1',
    'nofile=1:',
    'nofile=18446744073709551615',
  ]) {
    assert.throws(() => parseRlimit(bad), /--rlimit/, bad);
  }
});

test('umask: octal 0-0777', () => {
  assert.equal(parseUmask('027'), 0o27);
  assert.equal(parseUmask('0'), 0);
  assert.equal(parseUmask('0777'), 0o777);
  for (const bad of ['', '8', '0o22', '1000', '12345', '-1', 'u=rwx'])
    assert.throws(() => parseUmask(bad), /--umask/, bad);
});

test("securebits: setpriv's names, -all, refusals; keep_caps always set", () => {
  assert.equal(securebitsFrom(0, parseSecurebits('+noroot,+noroot_locked')), 0x13);
  assert.equal(securebitsFrom(0x3, parseSecurebits('-noroot')), 0x12);
  assert.equal(securebitsFrom(0xf, parseSecurebits('-all,+no_setuid_fixup')), 0x14);
  assert.equal(securebitsFrom(0, parseSecurebits('+keep_caps_locked')), 0x30);
  for (const bad of ['noroot', '+all', '+keep_caps', '-keep_caps', '+bogus', '', '+noroot,,'])
    assert.throws(() => parseSecurebits(bad), /securebit/, bad);
  assert.throws(
    () => securebitsFrom(0x40, parseSecurebits('+noroot')),
    /unrecognized securebit set/,
  );
});

test("pdeathsig: keep, clear, util-linux's signal names", () => {
  assert.equal(parsePdeathsig('keep'), 'keep');
  assert.equal(parsePdeathsig('clear'), 'clear');
  assert.equal(parsePdeathsig('SIGTERM'), 15);
  assert.equal(parsePdeathsig('term'), 15);
  assert.equal(parsePdeathsig('SigKill'), 9);
  assert.equal(signalFromName('RTMIN'), 34);
  assert.equal(signalFromName('SIGRTMIN+2'), 36);
  assert.equal(signalFromName('RTMAX-1'), 63);
  for (const bad of ['15', 'SIGNOPE', 'RTMIN+40', '', 'KEEP'])
    assert.throws(() => parsePdeathsig(bad), /unknown signal/, bad);
});

test('landlock: fs, fs:RIGHTS, path-beneath rules; ABI masks', () => {
  assert.equal(parseLandlockAccess('fs'), 'all');
  assert.equal(parseLandlockAccess('fs:'), 'all');
  assert.equal(parseLandlockAccess('fs:execute,read-file'), 0b101n);
  assert.throws(() => parseLandlockAccess('net:bind-tcp'), /expected fs/);
  assert.throws(() => parseLandlockAccess('fs:read'), /unknown Landlock/);
  assert.deepEqual(parseLandlockRule('path-beneath:execute,read-file,read-dir:/usr'), {
    rights: 0b1101n,
    path: '/usr',
  });
  assert.deepEqual(parseLandlockRule('path-beneath::/a:b'), { rights: null, path: '/a:b' });
  for (const bad of [
    'path-beneath:/usr',
    'path-beneath:read-file:',
    'net-port:bind-tcp:80',
    'read-file:/usr',
  ])
    assert.throws(() => parseLandlockRule(bad), /landlock-rule/, bad);
  assert.equal(landlockRightNames(landlockFsMask(1)).split(',').length, 13);
  assert.ok(landlockRightNames(landlockFsMask(2)).endsWith('refer'));
  assert.ok(landlockRightNames(landlockFsMask(3)).endsWith('truncate'));
  assert.ok(landlockRightNames(landlockFsMask(7)).endsWith('ioctl-dev'));
});

test('request: group modes, landlock and LSM conflicts are rejected before anything is looked up', () => {
  assert.throws(
    () => buildRequest({ keepGroups: true, clearGroups: true }, null, ['x']),
    /conflict/,
  );
  assert.throws(
    () => buildRequest({ user: 'u', initGroups: true, groups: 'a' }, null, ['x']),
    /conflicts with the supplementary group list/,
  );
  assert.throws(() => buildRequest({ initGroups: true }, null, ['x']), /needs a user/);
  assert.equal(buildRequest({ user: 'u', clearGroups: true }, null, ['x']).groupMode, 'clear');
  assert.throws(
    () => buildRequest({ landlockRule: ['path-beneath::/usr'] }, null, ['x']),
    /needs --landlock-access/,
  );
  assert.throws(
    () => buildRequest({ apparmorProfile: 'a', selinuxLabel: 'b' }, null, ['x']),
    /conflict/,
  );
  // the last --rlimit per resource wins; a flag overrides the config's server_max_file_descriptors
  const pos = { file: 'e.conf', line: 1, col: 31 };
  const r = buildRequest(
    { config: 'e.conf', rlimit: ['nofile=10', 'core=0', 'nofile=20'] },
    { settings: {}, sources: {} },
    ['x'],
    { serverMaxFileDescriptors: { value: 80000, source: pos } },
  );
  assert.deepEqual(
    r.limits.map((l) => [l.name, l.soft]),
    [
      ['core', 0n],
      ['nofile', 20n],
    ],
  );
  assert.equal(r.nofileDefault, false);
  const c = buildRequest({ config: 'e.conf' }, { settings: {}, sources: {} }, ['x'], {
    serverMaxFileDescriptors: null,
  });
  assert.equal(c.nofileDefault, true);
  assert.equal(buildRequest({ user: 'u' }, null, ['x']).nofileDefault, false);
});

test('/proc/self/limits and Umask: parsed from the real files', () => {
  const limits = parseLimits('\n' + readFileSync('/proc/self/limits', 'latin1'));
  assert.equal(limits.length, 16);
  assert.ok(limits[7]!.soft > 0n && limits[7]!.hard >= limits[7]!.soft);
  const text =
    'Limit                     Soft Limit           Hard Limit           Units     \nMax cpu time              unlimited            unlimited            seconds   \n';
  assert.throws(() => parseLimits('\n' + text), /no "Max file size" line/);
  const st = parseStatus('\n' + readFileSync('/proc/self/status', 'latin1'));
  assert.equal(st.umask, process.umask());
});
