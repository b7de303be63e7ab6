/**
 * Differential test: src/caps/text.ts against the real libcap on this machine (cap_from_text,
 * cap_to_text, cap_to_name, cap_max_bits) through test/differential/caps/harness.c.
 * Needs cc and libcap-dev; without them the tests FAIL (see INSTALL_HINT), they never skip.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CAP_NAMES,
  CapTextError,
  capFromText,
  capLastCap,
  capToText,
  maskToHex,
} from '../../../src/caps/index.js';
import { buildHarness, fromTextCommand, toTextCommand, type Harness } from './libcap-harness.js';

const SEED = 20240611;
const LAST = capLastCap();

let harness: Harness | undefined;
let harnessError: unknown;

function libcap(): Harness {
  if (harness === undefined) {
    throw harnessError instanceof Error ? harnessError : new Error(String(harnessError));
  }
  return harness;
}

before(() => {
  try {
    harness = buildHarness();
  } catch (err) {
    harnessError = err;
  }
});
after(() => harness?.dispose());

// ---------------------------------------------------------------- hand-picked edge cases

const HAND_PICKED: string[] = [
  // every example of the reference (docs/privilege-drop.md, "libcap's cap_from_text")
  'cap_net_bind_service+ep',
  'CAP_NET_BIND_SERVICE+ep',
  'cap_net_bind_service+EP',
  '=',
  '',
  '=ep',
  'all=ep cap_net_raw=',
  'cap_net_bind_service,cap_net_raw=eip',
  'cap_net_bind_service, cap_net_raw+ep',
  'cap_fowner=ep-e',
  'cap_chown=ep cap_chown-p',
  '63+p',
  '64+p',
  // chains
  '=ep-e+i',
  'all=ep-e+i',
  'all=ep-e+i-p+e',
  'cap_chown=e+p-e',
  'cap_chown=+e',
  'cap_chown=-e',
  'cap_chown=+',
  'cap_chown=-',
  '=+e',
  '=-e',
  'all=+e',
  'cap_chown+e-',
  'cap_chown+e+',
  'cap_chown+e+E',
  'cap_chown+e+e',
  'cap_chown+e+1',
  'cap_chown=ep=i',
  '=ep=',
  'cap_chown==e',
  'cap_chown=epie',
  'cap_chown=eeee',
  'cap_chown+',
  'cap_chown-',
  'cap_chown',
  'cap_chown=',
  'cap_chown= ',
  'cap_chown=e p',
  '=ep cap_sys_admin-ep',
  '=eip cap_setpcap-eip',
  '= cap_kill+e',
  '+ep',
  '-ep',
  '+',
  '-',
  '=',
  '==',
  '=e=',
  '!ep',
  'e',
  // numbers
  '0+p',
  '00+p',
  '10+p',
  '0x0a+p',
  '0X0A+p',
  '0xA+p',
  '012+p',
  '08+p',
  '09+p',
  '0x+p',
  '0xg+p',
  '0b1+p',
  '1a+p',
  '40+p',
  '41+p',
  '62,63+eip',
  '0x3f+p',
  '077+p',
  '0100+p',
  '0x40+p',
  '64+p',
  '65+p',
  '99999999999999999999999+p',
  '18446744073709551616+p',
  '0x0000000000000000000000000001+p',
  '000000000000000000000000000077+p',
  '-1+p',
  '+1+p',
  '1,cap_chown,0x2=e',
  '1.5+p',
  // names
  'ALL=ep',
  'All+p',
  'aLL-e',
  'all',
  'all,cap_chown=e',
  '47,all=ep',
  'all,47=ep',
  '63,all,62+p',
  '41,ALL,all+i',
  'cap_chown,all=e',
  'allx+p',
  'all_+p',
  'all1+p',
  'cap_CHOWN+p',
  'Cap_Chown+p',
  'chown+p',
  'cap_chownx+p',
  'cap_chown1+p',
  'cap_chown_+p',
  'cap_+p',
  'cap+p',
  '_+p',
  '__+p',
  'cap_checkpoint_restore+p',
  'cap_bpf,cap_perfmon+eip',
  'cap_net_bind_servic+ep',
  'cap_sys_admin,cap_sys_admin+p',
  // lists
  'cap_chown,+p',
  'cap_chown,',
  'cap_chown,,cap_kill+p',
  ',cap_chown+p',
  'cap_chown ,cap_kill+p',
  'cap_chown,_x+p',
  'cap_chown,=p',
  // whitespace and clauses
  ' ',
  '\t',
  '\n',
  '\v\f\r',
  '  cap_chown+e  ',
  'cap_chown+e\tcap_kill+i',
  'cap_chown+e\ncap_kill+i',
  'cap_chown+e\rcap_kill+i',
  'cap_chown+e\vcap_kill+i',
  'cap_chown+e\fcap_kill+i',
  'cap_chown+e\x1ccap_kill+i',
  'cap_chown+e\u00a0cap_kill+i',
  'cap_chown+e\u2003cap_kill+i',
  'cap_chown+e cap_kill+i cap_chown-e',
  '=ep all-ep',
  '= = =',
  '=e =p =i',
  'cap_chown=e\n\n\ncap_chown=p',
  // unicode and odd characters
  'cap_chown=ée',
  'cap_chöwn+p',
  'cap_chown+p é',
  '😀',
  'cap_chown+p😀',
  'ｃａｐ_chown+p',
  'cap_chown+ep;',
  'cap_chown+ep#x',
  'cap-chown+p',
];

// ---------------------------------------------------------------- generators

const anyCase = (s: string): fc.Arbitrary<string> =>
  fc
    .array(fc.boolean(), { minLength: s.length, maxLength: s.length })
    .map((up) => [...s].map((c, k) => (up[k] ? c.toUpperCase() : c)).join(''));

const capName = fc.constantFrom(...CAP_NAMES);
const number = fc.oneof(
  fc.integer({ min: 0, max: 70 }).map(String),
  fc.integer({ min: 0, max: 70 }).map((n) => '0x' + n.toString(16)),
  fc.integer({ min: 0, max: 70 }).map((n) => '0X' + n.toString(16).toUpperCase()),
  fc.integer({ min: 0, max: 70 }).map((n) => '0' + n.toString(8)),
  fc.constantFrom('0', '00', '08', '0x', '019', '1a', '0b1', '9999999999999999999999'),
);
const item = fc.oneof(
  { weight: 6, arbitrary: capName },
  { weight: 3, arbitrary: capName.chain(anyCase) },
  { weight: 2, arbitrary: fc.constantFrom('all', 'ALL', 'All') },
  { weight: 3, arbitrary: number },
  {
    weight: 1,
    arbitrary: fc.tuple(capName, fc.nat()).map(([n, k]) => {
      const at = k % n.length;
      return n.slice(0, at) + n.slice(at + 1);
    }),
  },
  { weight: 1, arbitrary: fc.constantFrom('cap_', 'chown', 'cap_chown1', '_', 'cap_foo', 'allx') },
);
const caplist = fc
  .tuple(
    fc.array(item, { minLength: 1, maxLength: 3 }),
    fc.constantFrom(',', ',', ',', ',', ', ', ',,'),
    fc.constantFrom('', '', '', '', '', '', '', '', ','),
  )
  .map(([items, sep, trail]) => items.join(sep) + trail);
const flags = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .subarray(['e', 'i', 'p'])
      .chain((f) => fc.shuffledSubarray(f, { minLength: f.length }))
      .map((f) => f.join('')),
  },
  { weight: 1, arbitrary: fc.constantFrom('E', 'P', 'eI', 'ee', 'x', '=', 'epe') },
);
const op = fc.constantFrom('=', '=', '+', '+', '-', '-', '=+', '=-');
const action = fc.tuple(op, flags).map(([o, f]) => o + f);
const clause = fc
  .tuple(
    fc.oneof({ weight: 5, arbitrary: caplist }, { weight: 2, arbitrary: fc.constant('') }),
    fc.array(action, { minLength: 1, maxLength: 3 }),
  )
  .map(([l, a]) => l + a.join(''));
const space = fc.constantFrom(
  ' ',
  ' ',
  ' ',
  '  ',
  '\t',
  '\n',
  '\r',
  '\v',
  '\f',
  ' \n ',
  '\x1c',
  '\u00a0',
);
const grammarText = fc
  .tuple(
    fc.constantFrom('', '', '', ' ', '\t', '\n'),
    fc.array(fc.tuple(clause, space), { minLength: 0, maxLength: 4 }),
    fc.constantFrom('', '', '', ' ', '\n'),
  )
  .map(
    ([lead, cs, tail]) =>
      lead + cs.map(([c, s], k) => (k === cs.length - 1 ? c : c + s)).join('') + tail,
  );

// A grammar that yields mostly valid text (all the forms libcap accepts), so that the masks
// are compared on thousands of accepted strings, not only the verdicts.
const validNumber = fc
  .integer({ min: 0, max: 63 })
  .chain((n) =>
    fc.constantFrom(
      String(n),
      '0x' + n.toString(16),
      '0X' + n.toString(16).toUpperCase(),
      n === 0 ? '0' : '0' + n.toString(8),
    ),
  );
const validItem = fc.oneof(
  { weight: 6, arbitrary: capName },
  { weight: 2, arbitrary: capName.chain(anyCase) },
  { weight: 1, arbitrary: fc.constantFrom('all', 'ALL') },
  { weight: 2, arbitrary: validNumber },
);
const validList = fc.array(validItem, { minLength: 1, maxLength: 4 }).map((a) => a.join(','));
const someFlags = fc.shuffledSubarray(['e', 'i', 'p'], { minLength: 1 }).map((f) => f.join(''));
const anyFlags = fc.shuffledSubarray(['e', 'i', 'p']).map((f) => f.join(''));
const listedClause = fc
  .tuple(
    validList,
    fc.oneof(
      anyFlags.map((f) => '=' + f),
      someFlags.map((f) => '+' + f),
      someFlags.map((f) => '-' + f),
      someFlags.map((f) => '=+' + f),
      someFlags.map((f) => '=-' + f),
    ),
    fc.array(
      fc.tuple(fc.constantFrom('+', '-'), someFlags).map(([o, f]) => o + f),
      { maxLength: 3 },
    ),
  )
  .map(([l, first, more]) => l + first + more.join(''));
const unlistedClause = anyFlags.map((f) => '=' + f);
const validText = fc
  .array(
    fc.tuple(
      fc.oneof({ weight: 5, arbitrary: listedClause }, { weight: 1, arbitrary: unlistedClause }),
      space,
    ),
    {
      maxLength: 5,
    },
  )
  .map((cs) =>
    cs
      .map(([c, s], k) =>
        k === cs.length - 1 ? c : c + (s === '\x1c' || s === '\u00a0' ? ' ' : s),
      )
      .join(''),
  );

const soupPiece = fc.constantFrom(
  'cap_chown',
  'cap_net_raw',
  'CAP_KILL',
  'all',
  '=',
  '+',
  '-',
  'e',
  'i',
  'p',
  'E',
  ',',
  ' ',
  '\t',
  '\n',
  '0',
  '1',
  'x',
  '7',
  '63',
  '64',
  'é',
  '_',
  '!',
);
const soupText = fc.array(soupPiece, { minLength: 0, maxLength: 12 }).map((a) => a.join(''));
const unicodeText = fc
  .string({ unit: 'grapheme', maxLength: 16 })
  .map((s) => s.replaceAll('\0', ''));
const asciiText = fc
  .string({ unit: 'binary-ascii', maxLength: 16 })
  .map((s) => s.replaceAll('\0', ''));

function generatedTexts(): string[] {
  return [
    ...fc.sample(validText, { numRuns: 6000, seed: SEED + 5 }),
    ...fc.sample(grammarText, { numRuns: 5000, seed: SEED }),
    ...fc.sample(soupText, { numRuns: 3000, seed: SEED + 1 }),
    ...fc.sample(unicodeText, { numRuns: 500, seed: SEED + 2 }),
    ...fc.sample(asciiText, { numRuns: 500, seed: SEED + 3 }),
  ];
}

// ---------------------------------------------------------------- tests

describe('differential against the real libcap', () => {
  test('harness builds (cc + libcap-dev present)', () => {
    assert.ok(libcap(), 'harness');
  });

  test('cap_to_name and cap_max_bits agree with the table and capLastCap()', () => {
    const lines = libcap().run(['N']);
    assert.equal(lines[0], `ok ${LAST + 1}`, 'cap_max_bits() = cap_last_cap + 1');
    for (let n = 0; n < 64; n++) {
      assert.equal(lines[n + 1], `ok ${n} ${CAP_NAMES[n] ?? String(n)}`);
    }
  });

  test('cap_from_text: same verdict, same E/I/P and same cap_to_text for every string', () => {
    const texts = [...new Set([...HAND_PICKED, ...generatedTexts()])];
    const out = libcap().run(texts.map(fromTextCommand));
    assert.equal(out.length, texts.length);
    const mismatches: string[] = [];
    let valid = 0;
    let invalid = 0;
    texts.forEach((text, k) => {
      const c = out[k] as string;
      let ts: string;
      try {
        const s = capFromText(text);
        ts = `ok ${maskToHex(s.effective)} ${maskToHex(s.inheritable)} ${maskToHex(s.permitted)} ${capToText(s)}`;
        valid++;
      } catch (err) {
        if (!(err instanceof CapTextError)) throw err;
        assert.match(err.message, /^clause ".*"(?: \(\d+ characters\))?: .* at column \d+/s); // a long clause is cut
        ts = 'err';
        invalid++;
      }
      if (ts !== c) mismatches.push(`${JSON.stringify(text)}: secwrap ${ts} | libcap ${c}`);
    });
    assert.deepEqual(
      mismatches.slice(0, 25),
      [],
      `${mismatches.length} of ${texts.length} strings differ`,
    );
    // The generators must produce plenty of both kinds, or the comparison proves little.
    assert.ok(valid > 2000, `valid strings: ${valid}`);
    assert.ok(invalid > 2000, `invalid strings: ${invalid}`);
    console.log(
      `# compared ${texts.length} strings with libcap: ${valid} valid, ${invalid} invalid`,
    );
  });

  test('every hand-picked reference example has the documented libcap verdict', () => {
    const out = libcap().run(
      ['cap_net_bind_service+EP', 'cap_net_bind_service, cap_net_raw+ep', '64+p', '=ep-e'].map(
        fromTextCommand,
      ),
    );
    assert.deepEqual(out, ['err', 'err', 'err', 'err']);
  });

  test('capToText equals cap_to_text for generated sets, and libcap reads it back', () => {
    const full = (1n << 64n) - 1n;
    const named = (1n << BigInt(LAST + 1)) - 1n;
    const u64 = fc.bigInt({ min: 0n, max: full });
    const mask = fc.oneof(
      u64,
      u64.map((m) => m & named),
      u64.map((m) => named & ~(m & (m >> 7n) & (m >> 13n))),
      fc.constantFrom(0n, named, full, 1n << 63n, 1n << BigInt(LAST), 1n << BigInt(LAST + 1)),
      fc
        .array(fc.integer({ min: 0, max: 63 }), { maxLength: 3 })
        .map((a) => a.reduce((m, n) => m | (1n << BigInt(n)), 0n)),
    );
    const states = fc.sample(fc.tuple(mask, mask, mask), { numRuns: 4000, seed: SEED + 4 });
    const out = libcap().run(states.map(([e, i, p]) => toTextCommand(e, i, p)));
    const mismatches: string[] = [];
    states.forEach(([e, i, p], k) => {
      const mine = capToText({ effective: e, inheritable: i, permitted: p });
      if (`ok ${mine}` !== out[k])
        mismatches.push(`${maskToHex(e)}/${maskToHex(i)}/${maskToHex(p)}: ${mine} | ${out[k]}`);
    });
    assert.deepEqual(
      mismatches.slice(0, 25),
      [],
      `${mismatches.length} of ${states.length} differ`,
    );
    // libcap parses its own output back to the same masks (and so must capFromText).
    const back = libcap().run(
      states.map(([e, i, p]) =>
        fromTextCommand(capToText({ effective: e, inheritable: i, permitted: p })),
      ),
    );
    states.forEach(([e, i, p], k) => {
      assert.equal(
        back[k]?.split(' ').slice(0, 4).join(' '),
        `ok ${maskToHex(e)} ${maskToHex(i)} ${maskToHex(p)}`,
      );
    });
  });
});
