import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CAP_NAMES, capsReport } from '../../../src/caps/index.js';

const LAST = Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8').trim());
const ALL_HEX = ((1n << BigInt(LAST + 1)) - 1n).toString(16).padStart(16, '0');

test('plain: canonical text and names per set', () => {
  const r = capsReport(['cap_net_bind_service+ep'], false);
  assert.equal(r.ok, true);
  assert.deepEqual(r.lines, [
    'cap_net_bind_service+ep  ->  cap_net_bind_service=ep  [e: cap_net_bind_service; i: -; p: cap_net_bind_service]',
  ]);
  assert.deepEqual(capsReport([''], false).lines, ['""  ->  =  [e: -; i: -; p: -]']);
  assert.deepEqual(capsReport(['cap_chown,cap_kill=i'], false).lines, [
    'cap_chown,cap_kill=i  ->  cap_chown,cap_kill=i  [e: -; i: cap_chown,cap_kill; p: -]',
  ]);
});

test('plain: errors, one line each, ok false', () => {
  const r = capsReport(['cap_net_bind_servic+ep', '=ep'], false);
  assert.equal(r.ok, false);
  assert.equal(
    r.lines[0],
    'cap_net_bind_servic+ep: error: clause "cap_net_bind_servic+ep": unknown capability "cap_net_bind_servic" at column 1; did you mean "cap_net_bind_service"?',
  );
  assert.equal(
    r.lines[1],
    `=ep  ->  =ep  [e: ${CAP_NAMES.slice(0, LAST + 1).join(',')}; i: -; p: ${CAP_NAMES.slice(0, LAST + 1).join(',')}]`,
  );
});

test('plain: a TEXT with a newline stays on one line (JSON-quoted)', () => {
  const r = capsReport(['cap_chown+e\ncap_kill+e'], false);
  assert.equal(r.lines.length, 1);
  assert.equal(
    r.lines[0],
    '"cap_chown+e\\ncap_kill+e"  ->  cap_chown,cap_kill=e  [e: cap_chown,cap_kill; i: -; p: -]',
  );
});

test('json: one object per line, 16 hex digits, errors as {text, error}', () => {
  const r = capsReport(['cap_net_bind_service+ep', '=ep', 'cap_x+p', '63+i'], true);
  assert.equal(r.ok, false);
  assert.equal(r.lines.length, 4);
  const objs = r.lines.map((l) => JSON.parse(l) as Record<string, string>);
  assert.deepEqual(objs[0], {
    text: 'cap_net_bind_service+ep',
    effective: '0000000000000400',
    inheritable: '0000000000000000',
    permitted: '0000000000000400',
  });
  assert.deepEqual(objs[1], {
    text: '=ep',
    effective: ALL_HEX,
    inheritable: '0000000000000000',
    permitted: ALL_HEX,
  });
  assert.equal(objs[2]?.text, 'cap_x+p');
  assert.match(objs[2]?.error ?? '', /^clause "cap_x\+p": unknown capability "cap_x" at column 1/);
  assert.deepEqual(Object.keys(objs[2] ?? {}), ['text', 'error']);
  assert.equal(objs[3]?.inheritable, '8000000000000000');
  assert.equal(capsReport(['=', 'cap_chown=p'], true).ok, true);
});

test('hundreds of TEXTs per call are fast', () => {
  const texts: string[] = [];
  for (let k = 0; k < 1000; k++) {
    texts.push(
      k % 10 === 0 ? `cap_bogus${k}+p` : `=ep ${CAP_NAMES[k % CAP_NAMES.length]}-ep ${k % 64}+i`,
    );
  }
  const t0 = performance.now();
  const plain = capsReport(texts, false);
  const json = capsReport(texts, true);
  const ms = performance.now() - t0;
  assert.equal(plain.lines.length, 1000);
  assert.equal(json.lines.length, 1000);
  assert.equal(plain.ok, false);
  assert.ok(ms < 2000, `2 x 1000 texts took ${ms.toFixed(0)} ms`);
});
