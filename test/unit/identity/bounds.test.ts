// Bounded echoes of user input in messages, and the bound on user and group names that is
// checked before any NSS lookup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MESSAGE_MAX_CHARS,
  QUOTE_MAX_CHARS,
  messageLine,
  quoteInput,
} from '../../../src/errors.js';
import {
  MAX_NAME_BYTES,
  checkNameBound,
  resolveGroup,
  resolveGroupList,
  resolveUser,
} from '../../../src/identity/resolve.js';

test('quoteInput: short input quoted whole, quotes and backslashes escaped', () => {
  assert.equal(quoteInput('ecuser'), '"ecuser"');
  assert.equal(quoteInput('a"b\\c'), '"a\\"b\\\\c"');
});

test('quoteInput: control characters (C0, DEL, C1) escaped, so none reaches the terminal', () => {
  assert.equal(quoteInput('a\nb\x1b[2Jc\x7f\x9b'), '"a\\x0ab\\x1b[2Jc\\x7f\\x9b"');
});

test('quoteInput: at most QUOTE_MAX_CHARS characters, then the full length', () => {
  const q = quoteInput('x'.repeat(4 * 1024 * 1024));
  assert.equal(q, `"${'x'.repeat(QUOTE_MAX_CHARS)}…" (4194304 characters)`);
  assert.equal(quoteInput('y'.repeat(300), 256).length, 256 + '"…" (300 characters)'.length);
});

test('messageLine: one line, control characters escaped, cut at MESSAGE_MAX_CHARS', () => {
  assert.equal(messageLine('a\nb\tc\x1bd'), 'a b\tc\\x1bd');
  const l = messageLine('m'.repeat(MESSAGE_MAX_CHARS + 10));
  assert.equal(l, `${'m'.repeat(MESSAGE_MAX_CHARS)}… (10 more characters)`);
});

test('names: up to MAX_NAME_BYTES bytes pass the bound, one more is refused before any lookup', () => {
  assert.equal(MAX_NAME_BYTES, 255);
  checkNameBound('a'.repeat(MAX_NAME_BYTES), 'user');
  assert.throws(
    () => checkNameBound('a'.repeat(MAX_NAME_BYTES + 1), 'user'),
    /user name "a{64}…" \(256 characters\) is 256 bytes long; at most 255 are accepted/,
  );
  // counted in UTF-8 bytes: 128 two-byte characters are 256 bytes
  assert.throws(() => checkNameBound('é'.repeat(128), 'group'), /is 256 bytes long/);
  checkNameBound('é'.repeat(127), 'group');
});

test('names: resolveUser, resolveGroup and resolveGroupList refuse a 4 MiB name with a short message', () => {
  const huge = 'a'.repeat(4 * 1024 * 1024);
  for (const f of [
    () => resolveUser(huge),
    () => resolveGroup(huge),
    () => resolveGroupList(['root', huge]),
  ]) {
    assert.throws(
      f,
      (e: Error) => e.message.length < 200 && /is 4194304 bytes long/.test(e.message),
    );
  }
  // a numeric spec is bounded the same way (its range error would echo it)
  assert.throws(() => resolveUser('9'.repeat(100000)), /is 100000 bytes long/);
});
