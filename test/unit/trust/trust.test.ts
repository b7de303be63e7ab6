import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  closeSync,
  fstatSync,
  lchownSync,
  mkdtempSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { checkChrootPath, configOpener, exactPath } from '../../../src/trust/trust.js';
import { walkTrusted } from '../../../src/trust/path.js';
import { atSecure, mustEnforceTrust } from '../../../src/trust/privilege.js';

// These run as root (npm test's requirement), in a root-owned 0755 folder under /run.
const root = mkdtempSync('/run/secwrap-trust-');
chmodSync(root, 0o755);
test.after(() => rmSync(root, { recursive: true, force: true }));

const fresh = (name: string): string => {
  const d = join(root, name);
  mkdirSync(d, { mode: 0o755 });
  return d;
};

test('privileged: any uid 0, or any effective or permitted capability', () => {
  assert.equal(mustEnforceTrust({ uid: [0, 0, 0, 0], effective: 0n, permitted: 0n }), true);
  assert.equal(
    mustEnforceTrust({ uid: [1000, 1000, 0, 1000], effective: 0n, permitted: 0n }),
    true,
  );
  assert.equal(
    mustEnforceTrust({ uid: [1000, 1000, 1000, 1000], effective: 0n, permitted: 0xc0n }),
    true,
  );
  assert.equal(
    mustEnforceTrust({ uid: [1000, 1000, 1000, 1000], effective: 0x80n, permitted: 0x80n }),
    true,
  );
  assert.equal(
    mustEnforceTrust({ uid: [1000, 1000, 1000, 1000], effective: 0n, permitted: 0n }),
    false,
  );
});

test('AT_SECURE is read from the auxiliary vector; this process has it 0', () => {
  const pair = (t: bigint, v: bigint): Buffer => {
    const b = Buffer.alloc(16);
    b.writeBigUInt64LE(t, 0);
    b.writeBigUInt64LE(v, 8);
    return b;
  };
  assert.equal(atSecure(Buffer.concat([pair(6n, 4096n), pair(23n, 1n), pair(0n, 0n)])), 1n);
  assert.equal(atSecure(Buffer.concat([pair(6n, 4096n), pair(0n, 0n), pair(23n, 1n)])), undefined);
  assert.equal(atSecure(readFileSync('/proc/self/auxv')), 0n);
});

test('a root-owned file in root-owned 0755 folders passes; the opener gives its descriptor', () => {
  const d = fresh('ok');
  const f = join(d, 'a.conf');
  writeFileSync(f, 'x', { mode: 0o644 });
  assert.equal(walkTrusted(f, 'config').real, f);
  const fd = configOpener(true)(f, 0);
  try {
    assert.equal(fstatSync(fd).ino, fstatSync(fd).ino);
    assert.ok(fstatSync(fd).isFile());
  } finally {
    closeSync(fd);
  }
});

test('the file itself: group or other write, or another owner, is refused with the fix', () => {
  const d = fresh('file');
  const f = join(d, 'a.conf');
  writeFileSync(f, 'x');
  for (const [mode, re] of [
    [0o664, /a\.conf is owned by root with mode 0664, writable by group on a writable mount/],
    [0o646, /mode 0646, writable by others/],
  ] as const) {
    chmodSync(f, mode);
    assert.throws(() => walkTrusted(f, 'config'), re);
  }
  chmodSync(f, 0o644);
  chownSync(f, 4321, 0);
  assert.throws(
    () => walkTrusted(f, 'config'),
    new RegExp(
      `untrusted config file ${f}: ${f} is owned by uid 4321 with mode 0644.*fix: chown root:root '${f}' && chmod go-w '${f}', or COPY --chmod=0644`,
    ),
  );
});

test('every directory on the way counts, and a relative path walks the working directory', () => {
  const d = fresh('way');
  const sub = join(d, 'sub');
  mkdirSync(sub, { mode: 0o755 });
  writeFileSync(join(sub, 'a.conf'), 'x', { mode: 0o644 });
  chownSync(d, 4321, 4321);
  assert.throws(
    () => walkTrusted(join(sub, 'a.conf'), 'config'),
    new RegExp(`untrusted config path .*: path component ${d} is owned by uid 4321`),
  );
  const cwd = process.cwd();
  process.chdir(sub);
  try {
    assert.throws(
      () => walkTrusted('a.conf', 'config'),
      new RegExp(`path component ${d} is owned by uid 4321`),
    );
  } finally {
    process.chdir(cwd);
  }
});

test('a symlink is walked: its own owner, its folder and its target all count', () => {
  const d = fresh('links');
  const target = join(d, 'real.conf');
  writeFileSync(target, 'x', { mode: 0o644 });
  symlinkSync('real.conf', join(d, 'rel.conf'));
  assert.equal(walkTrusted(join(d, 'rel.conf'), 'config').real, target);
  // A user's symlink in a trusted folder (left there by root's chown) is refused.
  symlinkSync(target, join(d, 'theirs.conf'));
  lchownSync(join(d, 'theirs.conf'), 4321, 4321);
  assert.throws(
    () => walkTrusted(join(d, 'theirs.conf'), 'config'),
    /symlink .*theirs\.conf is owned by uid 4321/,
  );
  // A root symlink to a file in a user's folder: the target's folder is refused.
  const u = fresh('user');
  writeFileSync(join(u, 'x.conf'), 'x', { mode: 0o644 });
  chownSync(u, 4321, 4321);
  symlinkSync(join(u, 'x.conf'), join(d, 'out.conf'));
  assert.throws(
    () => walkTrusted(join(d, 'out.conf'), 'config'),
    new RegExp(`path component ${u} is owned by uid 4321`),
  );
  // Loops end.
  symlinkSync('loop2', join(d, 'loop1'));
  symlinkSync('loop1', join(d, 'loop2'));
  assert.throws(
    () => walkTrusted(join(d, 'loop1'), 'config'),
    (e: Error & { code?: string }) => e.code === 'ELOOP',
  );
  // Missing: ENOENT, which the loader treats as "look in the next place".
  assert.throws(
    () => walkTrusted(join(d, 'absent.conf'), 'config'),
    (e: Error & { code?: string }) => e.code === 'ENOENT',
  );
});

test('.. after a symlink is the parent of the target, as the kernel resolves it', () => {
  const d = fresh('dots');
  mkdirSync(join(d, 'a', 'b'), { recursive: true, mode: 0o755 });
  writeFileSync(join(d, 'a', 'x.conf'), 'x', { mode: 0o644 });
  symlinkSync(join(d, 'a', 'b'), join(d, 'lb'));
  assert.equal(walkTrusted(`${d}/lb/../x.conf`, 'config').real, join(d, 'a', 'x.conf'));
});

test('chroot paths: every component root-owned and not group/other-writable', () => {
  const top = fresh('jails');
  const jail = join(top, 'ok', 'jail');
  mkdirSync(jail, { recursive: true, mode: 0o755 });
  assert.equal(checkChrootPath(jail, true), jail);
  chmodSync(join(top, 'ok'), 0o775);
  assert.throws(
    () => checkChrootPath(jail, true),
    new RegExp(
      `untrusted chroot ${jail}: path component ${join(top, 'ok')} is owned by root with mode 0775`,
    ),
  );
  assert.equal(checkChrootPath(jail, false), jail);
  chmodSync(join(top, 'ok'), 0o755);
  chownSync(jail, 4321, 0);
  assert.throws(() => checkChrootPath(jail, true), /owned by uid 4321/);
  assert.throws(() => checkChrootPath(join(top, 'missing'), true), /no such file or directory/);
  assert.throws(() => checkChrootPath(join(top, 'missing'), false), /no such directory/);
  writeFileSync(join(top, 'file'), '');
  assert.throws(() => checkChrootPath(join(top, 'file'), true), /is not a directory/);
});

test('paths Node could not decode are refused, never opened as something else', () => {
  assert.throws(() => exactPath('config path', '/etc/a\uFFFD.conf'), /not valid UTF-8/);
  assert.throws(() => configOpener(false)('/etc/a\uFFFD.conf', 0), /not valid UTF-8/);
  assert.throws(() => checkChrootPath('/srv/\uFFFD', false), /not valid UTF-8/);
  assert.doesNotThrow(() => exactPath('config path', '/etc/caf\u00e9.conf'));
});
