// The stdio flags captured at start (src/exec/startup.ts): the fdinfo parser against the kernel's
// own text for descriptors whose flags fcntl-free code can predict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, constants as fsc, openSync, readFileSync } from 'node:fs';
import { O_CLOEXEC, O_NONBLOCK, fdinfoFlags, startupStdioFlags } from '../../../src/exec/startup.js';

test('fdinfoFlags reads the octal flags field of real fdinfo texts', () => {
  const cases: Array<[number, number]> = [
    [fsc.O_RDONLY, fsc.O_RDONLY],
    [fsc.O_WRONLY | fsc.O_APPEND, fsc.O_WRONLY | fsc.O_APPEND],
    [fsc.O_RDWR | O_NONBLOCK, fsc.O_RDWR | O_NONBLOCK],
  ];
  for (const [open, want] of cases) {
    const fd = openSync('/dev/null', open);
    try {
      const flags = fdinfoFlags('\n' + readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1'));
      assert.notEqual(flags, null);
      // Node opens with O_CLOEXEC; the kernel adds O_LARGEFILE (0100000) on 64-bit.
      assert.equal(flags! & (3 /* O_ACCMODE */ | fsc.O_APPEND | O_NONBLOCK), want);
      assert.equal(flags! & O_CLOEXEC, O_CLOEXEC);
    } finally {
      closeSync(fd);
    }
  }
});

test('fdinfoFlags refuses texts without a well-formed flags field', () => {
  assert.equal(fdinfoFlags('\npos:\t0\nmnt_id:\t3\n'), null);
  assert.equal(fdinfoFlags('\npos:\t0\nflags:\t\nmnt_id:\t3\n'), null);
  assert.equal(fdinfoFlags('\npos:\t0\nflags:\t0100089\n'), null);
  assert.equal(fdinfoFlags('\npos:\t0\nflags:\t0100002\nmnt_id:\t3\n'), 0o100002);
  assert.equal(fdinfoFlags('\npos:\t0\nflags:\t02'), 0o2);
});

test('the flags captured at start match the kernel for the open standard descriptors', () => {
  for (const fd of [0, 1, 2]) {
    let text: string;
    try {
      text = readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1');
    } catch {
      assert.equal(startupStdioFlags[fd], null);
      continue;
    }
    const now = fdinfoFlags('\n' + text);
    // The test runner may have made a pipe non-blocking since: compare all but O_NONBLOCK.
    assert.equal((startupStdioFlags[fd]! & ~O_NONBLOCK) >>> 0, (now! & ~O_NONBLOCK) >>> 0);
  }
});
