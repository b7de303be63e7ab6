import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  CAP_LAST_KNOWN,
  CAP_NAMES,
  allMask,
  capLastCap,
  capName,
  capNumber,
  parseCapLastCap,
} from '../../../src/caps/index.js';

test('41 names, cap_chown = 0 ... cap_checkpoint_restore = 40', () => {
  assert.equal(CAP_NAMES.length, 41);
  assert.equal(CAP_LAST_KNOWN, 40);
  assert.equal(capNumber('cap_chown'), 0);
  assert.equal(capNumber('cap_net_bind_service'), 10);
  assert.equal(capNumber('cap_sys_admin'), 21);
  assert.equal(capNumber('cap_sys_resource'), 24);
  assert.equal(capNumber('CAP_CHECKPOINT_RESTORE'), 40);
  assert.equal(capNumber('chown'), undefined);
  assert.equal(new Set(CAP_NAMES).size, 41);
  for (const n of CAP_NAMES) assert.match(n, /^cap_[a-z_]+$/);
});

test('capName: a name up to 40, a number above', () => {
  assert.equal(capName(13), 'cap_net_raw');
  assert.equal(capName(41), '41');
  assert.equal(capName(63), '63');
});

test('capLastCap() reads /proc/sys/kernel/cap_last_cap, and caches it', () => {
  const fromFile = Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8').trim());
  assert.equal(capLastCap(), fromFile);
  assert.equal(capLastCap(), fromFile);
  assert.equal(allMask(), (1n << BigInt(fromFile + 1)) - 1n);
  assert.equal(allMask(0), 1n);
  assert.equal(allMask(63), (1n << 64n) - 1n);
});

test('parseCapLastCap accepts 0..63 and nothing else', () => {
  assert.equal(parseCapLastCap('40\n'), 40);
  assert.equal(parseCapLastCap('0'), 0);
  assert.equal(parseCapLastCap('63'), 63);
  assert.equal(parseCapLastCap('64'), undefined);
  assert.equal(parseCapLastCap(''), undefined);
  assert.equal(parseCapLastCap('4x'), undefined);
  assert.equal(parseCapLastCap('-1'), undefined);
  assert.equal(parseCapLastCap(' \t7 \n'), 7);
  assert.equal(parseCapLastCap('07'), 7);
  assert.equal(parseCapLastCap('123'), undefined);
  assert.equal(parseCapLastCap('4 0'), undefined);
  assert.equal(parseCapLastCap('\n'), undefined);
});
