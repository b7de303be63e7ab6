import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRequest, parseGroupsFlag } from '../../../src/plan/request.js';
import type { SecurityScope } from '../../../src/config/index.js';

const scope: SecurityScope = {
  settings: {
    user: 'ecuser',
    group: 'ecuser',
    supplemental_groups: ['ecmail', '4243'],
    capabilities: 'cap_net_raw+ep',
    chroot: '/var/jail',
    privileges: 'basic',
  },
  sources: {
    user: { file: 'e.conf', line: 2, col: 10 },
    capabilities: { file: 'c.conf', line: 9, col: 3 },
  },
};

test('the file alone: every option with its source', () => {
  const r = buildRequest({ config: 'e.conf' }, scope, ['ecelerity']);
  assert.equal(r.user, 'ecuser');
  assert.deepEqual(r.groups, ['ecmail', '4243']);
  assert.equal(r.sources.user, 'e.conf:2:10');
  assert.equal(r.sources.caps, 'c.conf:9:3');
  assert.equal(r.env, 'default');
  assert.deepEqual(r.command, ['ecelerity']);
});

test('flags override the file option by option', () => {
  const r = buildRequest(
    { config: 'e.conf', group: 'ecmail', groups: '', caps: 'cap_kill+ep' },
    scope,
    [],
  );
  assert.equal(r.user, 'ecuser');
  assert.equal(r.group, 'ecmail');
  assert.deepEqual(r.groups, []);
  assert.equal(r.caps, 'cap_kill+ep');
  assert.equal(r.sources.group, '--group');
  assert.equal(r.sources.caps, '--caps');
  assert.equal(r.chroot, '/var/jail');
});

test('flags work with no file at all', () => {
  const r = buildRequest(
    { user: 'nobody', resetEnv: true, noNewPrivs: true, preserveFds: 2, newSession: true },
    null,
    ['true'],
  );
  assert.equal(r.user, 'nobody');
  assert.equal(r.env, 'reset');
  assert.equal(r.noNewPrivs, true);
  assert.equal(r.preserveFds, 2);
  assert.equal(r.configFile, null);
});

test('conflicts and bad values are rejected before anything happens', () => {
  assert.throws(() => buildRequest({ keepEnv: true, resetEnv: true }, null, []), /conflict/);
  assert.throws(() => buildRequest({ preserveFds: -1 }, null, []), /preserve-fds/);
  assert.throws(() => buildRequest({ preserveFds: 1.5 }, null, []), /preserve-fds/);
  assert.throws(() => buildRequest({ chroot: 'relative/jail' }, null, []), /absolute/);
});

test('--groups parsing', () => {
  assert.deepEqual(parseGroupsFlag(''), []);
  assert.deepEqual(parseGroupsFlag('a,b,4243'), ['a', 'b', '4243']);
  assert.throws(() => parseGroupsFlag('a,,b'), /empty entry/);
  assert.throws(() => parseGroupsFlag('a,'), /empty entry/);
});
