// The stdio flags captured at start (src/exec/startup.ts): the fdinfo parser against the kernel's
// own text for descriptors whose flags fcntl-free code can predict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, constants as fsc, openSync, readFileSync } from 'node:fs';
import {
  O_CLOEXEC,
  O_NONBLOCK,
  fdinfoFlags,
  startupStdioFlags,
} from '../../../src/exec/startup.js';

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

test('the flags are read when a stdio stream is first created, before Node makes a pipe non-blocking', () => {
  // A child whose stdout is a pipe (execFileSync): nothing touches the streams at first, so
  // nothing is captured; then process.stdout is created (Node sets O_NONBLOCK on the pipe), and
  // the flags captured are the ones from before.
  const mod = new URL('../../../src/exec/startup.js', import.meta.url).href;
  const code = [
    `const { startupStdioFlags, fdinfoFlags } = await import(${JSON.stringify(mod)});`,
    "const { readFileSync, writeSync } = await import('node:fs');",
    "const now = () => fdinfoFlags('\\n' + readFileSync('/proc/self/fdinfo/1', 'latin1'));",
    'const before = startupStdioFlags() === undefined;',
    'const flagsBefore = now();',
    'void process.stdout;',
    'writeSync(2, JSON.stringify({ before, captured: startupStdioFlags()[1], flagsBefore, flagsAfter: now() }));',
  ].join('\n');
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stderr) as {
    before: boolean;
    captured: number;
    flagsBefore: number;
    flagsAfter: number;
  };
  assert.equal(got.before, true);
  assert.equal(got.captured, got.flagsBefore);
  assert.equal(got.flagsBefore & O_NONBLOCK, 0);
  assert.equal(
    got.flagsAfter & O_NONBLOCK,
    O_NONBLOCK,
    'Node made the pipe non-blocking (else this test shows nothing)',
  );
});

test('the flags captured match the kernel for the open standard descriptors', () => {
  void process.stderr; // captures, if nothing did yet
  for (const fd of [0, 1, 2]) {
    let text: string;
    try {
      text = readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1');
    } catch {
      assert.equal(startupStdioFlags()?.[fd], null);
      continue;
    }
    const now = fdinfoFlags('\n' + text);
    // The test runner may have made a pipe non-blocking since: compare all but O_NONBLOCK.
    assert.equal((startupStdioFlags()![fd]! & ~O_NONBLOCK) >>> 0, (now! & ~O_NONBLOCK) >>> 0);
  }
});

// O_NONBLOCK is written out (asm-generic's 0o4000, x86-64's and arm64's alike); Node's constants
// are the platform's own, so a machine where they differ fails here, not in a drop.
test('O_NONBLOCK is the platform value Node reports', () => {
  assert.equal(O_NONBLOCK, fsc.O_NONBLOCK);
});
