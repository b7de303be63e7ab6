// The command's raw arguments from /proc/self/cmdline (src/exec/argv.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { commandBytes, ownCommandBytes, splitCmdline } from '../../../src/exec/argv.js';

const cmdline = (...parts: (string | Buffer)[]): Buffer =>
  Buffer.concat(
    parts.flatMap((p) => [typeof p === 'string' ? Buffer.from(p) : p, Buffer.from([0])]),
  );

test('splitCmdline: NUL-terminated entries, empty ones kept', () => {
  assert.deepEqual(splitCmdline(cmdline('a', '', 'b c')).map(String), ['a', '', 'b c']);
  assert.deepEqual(splitCmdline(Buffer.alloc(0)), []);
  assert.deepEqual(splitCmdline(Buffer.from('x\0y')).map(String), ['x', 'y']); // no final NUL
});

test('commandBytes: the last N entries, byte for byte, even when they are not UTF-8', () => {
  const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // "café" in Latin-1: not UTF-8
  const raw = cmdline('/usr/bin/secwrap', '-u', 'nobody', '--', 'touch', latin1);
  const shown = ['touch', latin1.toString('utf8')]; // what Node gives JavaScript: "caf\uFFFD"
  assert.equal(shown[1], 'caf\uFFFD');
  const got = commandBytes(shown, raw);
  assert.deepEqual(
    got.map((b) => [...b]),
    [[...Buffer.from('touch')], [...latin1]],
  );
  // An empty last argument is an argument too.
  assert.deepEqual(
    commandBytes(['printf', ''], cmdline('secwrap', '--', 'printf', '')).map(String),
    ['printf', ''],
  );
});

test('commandBytes refuses a cmdline that does not match what Node decoded', () => {
  assert.throws(
    () => commandBytes(['true'], cmdline('secwrap', '--', 'false')),
    /differs in \/proc\/self\/cmdline/,
  );
  assert.throws(
    () => commandBytes(['a', 'b', 'c'], cmdline('b', 'c')),
    /fewer than the command's 3/,
  );
});

test("ownCommandBytes: a process's own trailing arguments, byte for byte", () => {
  // A child Node whose last argument is Latin-1 "café" (not UTF-8), passed through sh as raw bytes.
  const mod = new URL('../../../src/exec/argv.js', import.meta.url).href;
  const code = `import(${JSON.stringify(mod)}).then((m) => process.stdout.write(m.ownCommandBytes(process.argv.slice(-2)).map((b) => b.toString('hex')).join(' ')))`;
  const out = execFileSync(
    '/bin/sh',
    ['-c', 'exec "$0" -e "$1" -- plain "$(printf \'caf\\351\')"', process.execPath, code],
    { encoding: 'utf8' },
  );
  assert.equal(out, `${Buffer.from('plain').toString('hex')} 636166e9`);
});

test('ownCommandBytes: arguments without U+FFFD are their UTF-8 bytes (no /proc read needed)', () => {
  assert.deepEqual(
    ownCommandBytes(['ls', 'café', '']).map((b) => b.toString('hex')),
    ['6c73', '636166c3a9', ''],
  );
});
