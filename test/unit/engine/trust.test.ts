import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, closeSync, mkdtempSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkChrootPath, checkConfigDescriptor, enforcing } from '../../../src/trust/trust.js';

// These run as root (npm test's requirement): ownership is enforced.
const root = mkdtempSync('/run/secwrap-trust-');
test.after(() => rmSync(root, { recursive: true, force: true }));

test('runs as root, so trust is enforced', () => {
  assert.equal(enforcing(), true);
});

test('config descriptors: root-owned and not group/other-writable, checked with fstat', () => {
  const f = join(root, 'a.conf');
  writeFileSync(f, 'x');
  const check = (): void => {
    const fd = openSync(f, 'r');
    try {
      checkConfigDescriptor(fd, f, 'file');
    } finally {
      closeSync(fd);
    }
  };
  chmodSync(f, 0o644);
  assert.doesNotThrow(check);
  chmodSync(f, 0o600);
  assert.doesNotThrow(check);
  chmodSync(f, 0o664);
  assert.throws(check, /mode 0664 \(must not be writable by group or others\)/);
  chmodSync(f, 0o646);
  assert.throws(check, /mode 0646/);
  chmodSync(f, 0o644);
  chownSync(f, 4321, 0);
  assert.throws(check, /owned by uid 4321 \(must be root\)/);
});

test('chroot paths: every component root-owned and not group/other-writable', () => {
  const jail = join(root, 'ok', 'jail');
  mkdirSync(jail, { recursive: true, mode: 0o755 });
  chmodSync(root, 0o755);
  assert.equal(checkChrootPath(jail), jail);
  chmodSync(join(root, 'ok'), 0o775);
  assert.throws(() => checkChrootPath(jail), new RegExp(`path component ${join(root, 'ok')} is mode 0775`));
  chmodSync(join(root, 'ok'), 0o755);
  chownSync(jail, 4321, 0);
  assert.throws(() => checkChrootPath(jail), /owned by uid 4321/);
  assert.throws(() => checkChrootPath(join(root, 'missing')), /no such directory/);
  writeFileSync(join(root, 'file'), '');
  assert.throws(() => checkChrootPath(join(root, 'file')), /is not a directory/);
});
