import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { SecwrapError } from '../../../src/errors.js';
import {
  CapTextError,
  allMask,
  capFromText,
  capLastCap,
  capToText,
  maskToHex,
  maskToNames,
  type CapState,
} from '../../../src/caps/index.js';

// "all" means the running kernel's caps: read it here rather than hard-coding 40.
const LAST = Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8').trim());
const ALL = (1n << BigInt(LAST + 1)) - 1n;

function hex(s: CapState): [string, string, string] {
  return [s.effective.toString(16), s.inheritable.toString(16), s.permitted.toString(16)];
}

function error(text: string, lastCap?: number): CapTextError {
  try {
    capFromText(text, lastCap);
  } catch (err) {
    assert.ok(err instanceof CapTextError, `expected CapTextError, got ${String(err)}`);
    return err;
  }
  assert.fail(`${JSON.stringify(text)} was accepted`);
}

describe('capFromText: the reference examples (E / I / P)', () => {
  test('capLastCap() is the kernel value', () => {
    assert.equal(capLastCap(), LAST);
    assert.equal(allMask(), ALL);
  });
  test('cap_net_bind_service+ep = 400/0/400, any case of the name', () => {
    assert.deepEqual(hex(capFromText('cap_net_bind_service+ep')), ['400', '0', '400']);
    assert.deepEqual(hex(capFromText('CAP_NET_BIND_SERVICE+ep')), ['400', '0', '400']);
    assert.deepEqual(hex(capFromText('Cap_Net_Bind_Service+ep')), ['400', '0', '400']);
  });
  test('upper-case flags are an error', () => {
    assert.match(error('cap_net_bind_service+EP').message, /flag "E" must be lower case/);
  });
  test('"=" and "" are empty', () => {
    assert.deepEqual(hex(capFromText('=')), ['0', '0', '0']);
    assert.deepEqual(hex(capFromText('')), ['0', '0', '0']);
    assert.deepEqual(hex(capFromText(' \t\n')), ['0', '0', '0']);
  });
  test('=ep is all (0..cap_last_cap) in E and P', () => {
    const s = capFromText('=ep');
    assert.equal(s.effective, ALL);
    assert.equal(s.permitted, ALL);
    assert.equal(s.inheritable, 0n);
  });
  test('all=ep cap_net_raw= is all minus 0x2000', () => {
    const s = capFromText('all=ep cap_net_raw=');
    assert.equal(s.effective, ALL & ~0x2000n);
    assert.equal(s.permitted, ALL & ~0x2000n);
    assert.equal(s.inheritable, 0n);
  });
  test('cap_net_bind_service,cap_net_raw=eip = 2400 in all three', () => {
    assert.deepEqual(hex(capFromText('cap_net_bind_service,cap_net_raw=eip')), [
      '2400',
      '2400',
      '2400',
    ]);
  });
  test('space after a comma is an error', () => {
    const e = error('cap_net_bind_service, cap_net_raw+ep');
    assert.equal(e.column, 22);
    assert.equal(e.clause, 'cap_net_bind_service,');
    assert.match(e.message, /expected a capability after ",", found whitespace at column 22/);
  });
  test('cap_fowner=ep-e = 0/0/8; cap_chown=ep cap_chown-p = 1/0/0', () => {
    assert.deepEqual(hex(capFromText('cap_fowner=ep-e')), ['0', '0', '8']);
    assert.deepEqual(hex(capFromText('cap_chown=ep cap_chown-p')), ['1', '0', '0']);
  });
  test('63+p is bit 63; 64+p is an error', () => {
    assert.equal(capFromText('63+p').permitted, 1n << 63n);
    assert.match(error('64+p').message, /capability number 64 is out of range 0\.\.63 at column 1/);
  });
});

describe('capFromText: rules', () => {
  test('numbers by strtoul base 0: 10, 0x0a, 0X0A, 012; 0 prefix means octal', () => {
    for (const t of ['10+p', '0x0a+p', '0X0A+p', '012+p', '0xA+p'])
      assert.equal(capFromText(t).permitted, 0x400n, t);
    assert.equal(capFromText('00+p').permitted, 1n);
    assert.equal(capFromText('0x0000000000000000000000001+p').permitted, 2n);
    assert.ok(error('08+p') instanceof CapTextError); // strtoul stops at 8: "0" then "8" is no action
    assert.ok(error('0x+p') instanceof CapTextError);
    assert.ok(error('0b1+p') instanceof CapTextError);
    assert.match(error('18446744073709551616+p').message, /out of range/);
  });
  test('unnamed caps above cap_last_cap are accepted up to 63', () => {
    assert.equal(capFromText('41,42+p').permitted, 3n << 41n);
  });
  test('all is case-insensitive and follows lastCap', () => {
    assert.equal(capFromText('ALL+e').effective, ALL);
    assert.equal(capFromText('all+e', 37).effective, (1n << 38n) - 1n);
    assert.equal(capFromText('=e', 0).effective, 1n);
  });
  test('all assigns the list: numbers above lastCap before it are dropped (libcap)', () => {
    assert.equal(capFromText('47,all+p').permitted, ALL);
    assert.equal(capFromText('all,47+p').permitted, ALL | (1n << 47n));
  });
  test('= clears the listed caps in all three sets, then raises', () => {
    const s = capFromText('all=eip cap_chown=p');
    assert.equal(s.permitted, ALL);
    assert.equal(s.effective, ALL & ~1n);
    assert.equal(s.inheritable, ALL & ~1n);
    assert.deepEqual(hex(capFromText('cap_chown=eip cap_chown=')), ['0', '0', '0']);
  });
  test('chains after = (with a list): all=ep-e+i, cap_chown=+e, cap_chown=-e', () => {
    const s = capFromText('all=ep-e+i');
    assert.equal(s.effective, 0n);
    assert.equal(s.inheritable, ALL);
    assert.equal(s.permitted, ALL);
    assert.deepEqual(hex(capFromText('cap_chown=+e')), ['1', '0', '0']);
    assert.deepEqual(hex(capFromText('cap_kill=ep cap_kill=-e')), ['0', '0', '0']);
  });
  test('a leading = (no list) cannot chain +/-: =ep-e is an error, with a hint', () => {
    const e = error('=ep-e');
    assert.equal(e.column, 4);
    assert.match(e.message, /write "all=\.\.\." instead of "=\.\.\."/);
    assert.ok(error('=+e') instanceof CapTextError);
  });
  test('second = in a clause is an error', () => {
    const e = error('cap_chown=ep=i');
    assert.equal(e.column, 13);
    assert.match(e.message, /a second "=" in one clause/);
  });
  test('missing action, lone +ep, trailing comma, empty flags after +', () => {
    assert.match(
      error('cap_chown').message,
      /expected "=", "\+" or "-" after the capability list, found end of text at column 10/,
    );
    assert.match(error('+ep').message, /"\+" needs a capability list before it at column 1/);
    assert.match(error('-e').message, /"-" needs a capability list/);
    assert.match(
      error('cap_chown,').message,
      /expected a capability after ",", found end of text at column 11/,
    );
    assert.match(error('cap_chown+').message, /"\+" must be followed by at least one flag/);
    assert.match(error('cap_chown+e-').message, /"-" must be followed by at least one flag/);
    assert.match(error('cap_chown= e').message, /clause "e": unknown capability "e" at column 12/); // a new clause
  });
  test('unknown names get the closest real name', () => {
    const e = error('cap_net_bind_servic+ep');
    assert.equal(
      e.message,
      'clause "cap_net_bind_servic+ep": unknown capability "cap_net_bind_servic" at column 1; did you mean "cap_net_bind_service"?',
    );
    assert.equal(e.suggestion, 'cap_net_bind_service');
    assert.equal(error('cap_chown+e net_bind_service+p').suggestion, 'cap_net_bind_service');
    assert.equal(error('cap_chown+e net_bind_service+p').column, 13);
    assert.equal(error('cap_chown1+p').message.includes('"cap_chown1"'), true);
    assert.equal(error('zzzzzzzzzzzz+p').suggestion, undefined);
    assert.equal(error('alll+p').suggestion, 'all');
  });
  test('clauses are separated by C isspace: space, \\t, \\n, \\v, \\f, \\r, and nothing else', () => {
    for (const ws of [' ', '\t', '\n', '\v', '\f', '\r']) {
      assert.deepEqual(
        hex(capFromText(`cap_chown+e${ws}cap_kill+i`)),
        ['1', '20', '0'],
        JSON.stringify(ws),
      );
    }
    for (const ws of ['\u00a0', '\u2003', '\x1c', '\u3000'])
      assert.ok(error(`cap_chown+e${ws}cap_kill+i`), JSON.stringify(ws));
  });
  test('columns count characters, across clauses and astral code points', () => {
    assert.equal(error('cap_chown+e cap_kil+p').column, 13);
    assert.equal(error('😀').column, 1);
    assert.equal(error('cap_kill+e\t😀').column, 12);
    assert.match(error('cap_chown=ée').message, /found "é" at column 11/);
  });
  test('NUL is refused (libcap would silently stop there)', () => {
    assert.match(error('cap_chown+e\0cap_kill+e').message, /NUL character/);
  });
  test('CapTextError is a SecwrapError with exit code 125', () => {
    const e = error('x');
    assert.ok(e instanceof SecwrapError);
    assert.equal(e.exitCode, 125);
    assert.equal(e.name, 'CapTextError');
  });
  test('lastCap outside 0..63 is a programming error', () => {
    assert.throws(() => capFromText('=e', 64), RangeError);
    assert.throws(() => capFromText('=e', -1), RangeError);
  });
});

describe('capToText', () => {
  const st = (e: bigint, i: bigint, p: bigint): CapState => ({
    effective: e,
    inheritable: i,
    permitted: p,
  });
  test('canonical forms', () => {
    assert.equal(capToText(st(0x400n, 0n, 0x400n)), 'cap_net_bind_service=ep');
    assert.equal(capToText(st(0n, 0n, 0n)), '=');
    assert.equal(capToText(st(ALL, 0n, ALL)), '=ep');
    assert.equal(capToText(st(ALL & ~(1n << 21n), 0n, ALL & ~(1n << 21n))), '=ep cap_sys_admin-ep');
    assert.equal(capToText(st(0x21n, 0n, 1n)), 'cap_chown=ep cap_kill+e');
    assert.equal(capToText(st(0n, 0n, 1n << 63n)), '= 63+p');
    assert.equal(capToText(st(ALL, ALL, ALL | (1n << 50n))), '=eip 50+p');
  });
  test('groups are ordered by libcap flag value (e=1 p=2 i=4), highest first', () => {
    // e|i (5) before e|p (3) before p (2)
    assert.equal(
      capToText(st(0b11n, 0b01n, 0b110n)),
      'cap_chown=ei cap_dac_override+ep cap_dac_read_search+p',
    );
  });
  test('caps above lastCap are written after, by name when libcap has one', () => {
    assert.equal(capToText(st(0n, 0n, 1n << 40n), 37), '= cap_checkpoint_restore+p');
    assert.equal(capToText(st(0n, 0n, 1n << 40n), 40), 'cap_checkpoint_restore=p');
  });
  test('masks beyond 64 bits are refused', () => {
    assert.throws(() => capToText(st(1n << 64n, 0n, 0n)), RangeError);
    assert.throws(() => capToText(st(-1n, 0n, 0n)), RangeError);
  });
  test('round trip: capFromText(capToText(x)) = x for any 64-bit sets and lastCap', () => {
    const mask = fc.oneof(
      fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      fc.bigInt({ min: 0n, max: ALL }),
      fc.constantFrom(0n, ALL, (1n << 64n) - 1n),
    );
    fc.assert(
      fc.property(mask, mask, mask, fc.integer({ min: 0, max: 63 }), (e, i, p, last) => {
        const x = st(e, i, p);
        assert.deepEqual(capFromText(capToText(x), LAST), x);
        assert.deepEqual(capFromText(capToText(x, last), last), x);
      }),
      { seed: 4242, numRuns: 3000 },
    );
  });
  test('round trip the other way: capToText is a fixed point of parse + print', () => {
    const t = capToText(capFromText('all=ep cap_net_raw= 47+i cap_chown-e'));
    assert.equal(capToText(capFromText(t)), t);
  });
});

describe('maskToNames / maskToHex', () => {
  test('names ascending, unnamed bits as numbers', () => {
    assert.deepEqual(maskToNames(0n), []);
    assert.deepEqual(maskToNames(0x2401n), ['cap_chown', 'cap_net_bind_service', 'cap_net_raw']);
    assert.deepEqual(maskToNames((1n << 40n) | (1n << 41n) | (1n << 63n)), [
      'cap_checkpoint_restore',
      '41',
      '63',
    ]);
  });
  test('16 lower-case hex digits like /proc/self/status', () => {
    assert.equal(maskToHex(0n), '0000000000000000');
    assert.equal(maskToHex(0x400n), '0000000000000400');
    assert.equal(maskToHex(ALL), ALL.toString(16).padStart(16, '0'));
    assert.equal(maskToHex((1n << 64n) - 1n), 'ffffffffffffffff');
    assert.equal(maskToHex(0xabcdefn), '0000000000abcdef');
    assert.throws(() => maskToHex(1n << 64n), RangeError);
  });
  test("maskToHex matches this process's own /proc/self/status CapBnd", () => {
    const status = readFileSync('/proc/self/status', 'utf8');
    const m = /^CapBnd:\s*([0-9a-f]{16})$/m.exec(status);
    assert.ok(m, 'CapBnd line');
    assert.equal(maskToHex(BigInt('0x' + m[1])), m[1]);
  });
});
