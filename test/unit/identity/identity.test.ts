// User and group answers must be what `getent` and `id` say: differential tests against the
// real programs over every entry in this machine's databases (through NSS, as libc sees them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import * as libc from '../../../src/libc/libc.js';
import {
  initGroups,
  parseNumericId,
  resolveGroup,
  resolveGroupList,
  resolveUser,
} from '../../../src/identity/resolve.js';
import { SecwrapError } from '../../../src/errors.js';

const lines = async (cmd: string, args: string[]): Promise<string[]> =>
  (await execa(cmd, args)).stdout.split('\n').filter(Boolean);

test('getpwnam and getpwuid equal `getent passwd` for every entry', async () => {
  const entries = await lines('getent', ['passwd']);
  assert.ok(entries.length > 5);
  for (const line of entries) {
    const [name, , uid, gid, gecos, dir, shell] = line.split(':');
    const want = { name, uid: Number(uid), gid: Number(gid), gecos, dir, shell };
    assert.deepEqual(libc.getpwnam(name!), want, line);
    const byId = libc.getpwuid(Number(uid));
    assert.equal(byId?.uid, Number(uid), line);
  }
});

test('getgrnam and getgrgid equal `getent group` for every entry', async () => {
  for (const line of await lines('getent', ['group'])) {
    const [name, , gid] = line.split(':');
    assert.deepEqual(libc.getgrnam(name!), { name, gid: Number(gid) }, line);
    assert.equal(libc.getgrgid(Number(gid))?.gid, Number(gid), line);
  }
});

test('initgroups equals `id -G USER` for every user', async () => {
  for (const line of await lines('getent', ['passwd'])) {
    const name = line.split(':')[0]!;
    const want = (await execa('id', ['-G', name])).stdout.trim().split(/\s+/).map(Number);
    const got = initGroups(resolveUser(name)).map((g) => g.gid);
    assert.deepEqual(
      [...got].sort((a, b) => a - b),
      [...new Set(want)].sort((a, b) => a - b),
      name,
    );
  }
});

test('a missing name is null, never a default', () => {
  assert.equal(libc.getpwnam('secwrap-no-such-user'), null);
  assert.equal(libc.getgrnam('secwrap-no-such-group'), null);
  assert.equal(libc.getpwuid(4_000_000_000), null);
});

test("resolveUser: names, numbers, and gosu's bogus cases", () => {
  assert.deepEqual(resolveUser('root').uid, 0);
  assert.equal(resolveUser('0').name, 'root');
  const unnamed = resolveUser('4000000000');
  assert.deepEqual([unnamed.uid, unnamed.name, unnamed.entry], [4000000000, null, null]);
  for (const bogus of ['bogus-secwrap', '0day', '0:0day', ' 0', '0x10', '-1']) {
    assert.throws(() => resolveUser(bogus), SecwrapError, bogus);
  }
  assert.throws(() => resolveUser(''), /empty user name/);
  assert.throws(() => resolveUser('4294967295'), /out of range/);
  assert.throws(() => resolveUser('a\0b'), /NUL/);
});

test('resolveGroup and lists: numbers need no entry, names must exist, duplicates folded', () => {
  assert.equal(resolveGroup('root').gid, 0);
  assert.deepEqual(resolveGroup('4000000000'), { gid: 4000000000, name: null });
  assert.throws(
    () => resolveGroup('no-such-group-secwrap'),
    /unknown group "no-such-group-secwrap"/,
  );
  assert.deepEqual(
    resolveGroupList(['0', 'root', '4000000000']).map((g) => g.gid),
    [0, 4000000000],
  );
});

test('parseNumericId: decimal only', () => {
  assert.equal(parseNumericId('42', 'user'), 42);
  assert.equal(parseNumericId('007', 'user'), 7);
  assert.equal(parseNumericId('4a', 'user'), null);
  assert.equal(parseNumericId('4294967294', 'user'), 4294967294);
  assert.throws(() => parseNumericId('4294967295', 'user'), /out of range/);
});
