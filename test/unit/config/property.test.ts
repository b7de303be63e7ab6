import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  documentFromText,
  loadConfig,
  parseText,
  printConfig,
  securityScope,
  stripPositions,
  type ScalarModel,
  type StmtModel,
  type ValueModel,
} from '../../../src/config/index.js';
import { ConfigError } from '../../../src/errors.js';
import { tmpDir } from './helpers.js';

// ---- generators of valid models -------------------------------------------------------------

const BARE_CHARS = [...'abcXYZ019._:-/*@$%!?+~;&|<>^`\\', 'é', 'ß', '😀', '\u00a0'];
const bareText = (inList: boolean): fc.Arbitrary<string> =>
  fc
    .string({
      unit: fc.constantFrom(...BARE_CHARS, ...(inList ? [] : [','])),
      minLength: 1,
      maxLength: 8,
    })
    .filter((t) => !t.startsWith('/*'));
const STRING_CHARS = [
  ...'aZ0 "\'\\\n\r\t#{}()[]=,/*;',
  'é',
  '😀',
  '\u2028',
  '\u0000',
  '\uFEFF',
  '\\n',
  '\\d',
  '/*',
  '*/',
  '"#',
];
const strText = fc.string({ unit: fc.constantFrom(...STRING_CHARS), maxLength: 12 });

const scalar = (inList: boolean): fc.Arbitrary<ScalarModel> =>
  fc.oneof(
    bareText(inList).map((text): ScalarModel => ({ kind: 'scalar', text, quoted: false })),
    strText.map((text): ScalarModel => ({ kind: 'scalar', text, quoted: true })),
  );

const nameArb = fc
  .tuple(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_:.\-/*]{0,10}$/), fc.constantFrom('', 'é', '-1'))
  .map(([a, b]) => a + b)
  .filter((n) => !['include', 'readonly_include'].includes(n.toLowerCase()));

const { value } = fc.letrec<{ value: ValueModel; array: ValueModel; hash: ValueModel }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar(true),
    tie('array'),
    tie('hash'),
  ),
  array: fc
    .array(tie('value'), { maxLength: 4 })
    .map((items): ValueModel => ({ kind: 'array', items })),
  hash: fc
    .array(fc.tuple(scalar(true), tie('value')), { maxLength: 3 })
    .map(
      (kv): ValueModel => ({ kind: 'hash', entries: kv.map(([key, v]) => ({ key, value: v })) }),
    ),
}));

const optionArb: fc.Arbitrary<StmtModel> = fc
  .record({ name: nameArb, value: fc.oneof(scalar(false), value) })
  .map(({ name, value: v }): StmtModel => ({ kind: 'option', name, value: v }));

const includeArb: fc.Arbitrary<StmtModel> = fc
  .record({ readonly: fc.boolean(), path: strText.filter((t) => t !== '') })
  .map(
    ({ readonly, path }): StmtModel => ({
      kind: 'include',
      readonly,
      path: { kind: 'scalar', text: path, quoted: true },
    }),
  );

const { stmts } = fc.letrec<{ stmt: StmtModel; scope: StmtModel; stmts: StmtModel[] }>((tie) => ({
  stmt: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    optionArb,
    includeArb,
    tie('scope'),
  ),
  scope: fc
    .record({
      name: nameArb,
      instance: fc.option(scalar(false), { nil: undefined }),
      body: fc.array(tie('stmt'), { maxLength: 4 }),
    })
    .map(
      ({ name, instance, body }): StmtModel =>
        instance === undefined
          ? { kind: 'scope', name, body }
          : { kind: 'scope', name, instance, body },
    ),
  stmts: fc.array(tie('stmt'), { maxLength: 6 }),
}));

// ---- helpers --------------------------------------------------------------------------------

const FUZZ = 'fuzz.conf';

/** Parse; accept success or a ConfigError with a sane position; anything else fails. */
function parseOrConfigError(src: string): void {
  const t0 = performance.now();
  try {
    const p = parseText(src, FUZZ);
    // a parsed text must also survive merging and security extraction (validated or not)
    const doc = documentFromText(src, FUZZ);
    assert.equal(p.body.length >= 0, true);
    securityScope(doc, { validate: false });
    try {
      securityScope(doc);
    } catch (e) {
      assert.ok(e instanceof ConfigError, `securityScope threw ${String(e)}`);
    }
  } catch (e) {
    assert.ok(
      e instanceof ConfigError,
      `not a ConfigError: ${e instanceof Error ? e.stack : String(e)}`,
    );
    assert.equal(e.pos.file, FUZZ);
    assert.ok(Number.isInteger(e.pos.line) && e.pos.line >= 1, e.message);
    assert.ok(Number.isInteger(e.pos.col) && e.pos.col >= 1, e.message);
    const lines = src.split('\n').length;
    assert.ok(e.pos.line <= lines, `line ${e.pos.line} beyond ${lines}: ${e.message}`);
    assert.ok(e.message.startsWith(`${FUZZ}:${e.pos.line}:${e.pos.col}: `));
  }
  const ms = performance.now() - t0;
  assert.ok(ms < 1000, `took ${ms} ms`);
}

const TOKENS = [
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  '=',
  '"',
  "'",
  '#',
  '/*',
  '*/',
  '\\',
  '\n',
  ' ',
  '\t',
  ',',
  'a',
  'x.conf',
  'include',
  'security',
  'user',
  'é',
  '\uFEFF',
  '\u0000',
  '/',
  '*',
  '\r\n',
];

// ---- properties ------------------------------------------------------------------------------

describe('property: print then parse is the identity on the model', () => {
  it('the generator covers every feature (meta-check of the generator)', () => {
    const texts = fc.sample(stmts, { numRuns: 400, seed: 42 }).map((m) => printConfig(m));
    const all = texts.join('\n');
    for (const needle of [
      '{\n',
      ' = ( ',
      ' = [ ',
      '\\"',
      '\\\\',
      '\\n',
      '#',
      'include "',
      'readonly_include',
      '/*',
      '😀',
    ]) {
      assert.ok(all.includes(needle), `no generated document contains ${JSON.stringify(needle)}`);
    }
    const deep = texts.filter((t) => /^ {4}\S/m.test(t)).length;
    assert.ok(deep > 10, `only ${deep} documents nest scopes 3 deep`);
    const big = texts.filter((t) => t.split('\n').length > 8).length;
    assert.ok(big > 50, `only ${big} documents have more than 8 lines`);
  });
  it('any generated document round-trips through printConfig', () => {
    fc.assert(
      fc.property(stmts, (model) => {
        const text = printConfig(model);
        const back = stripPositions(parseText(text, 'p.conf').body);
        assert.deepEqual(back, model);
      }),
      { numRuns: 1500, interruptAfterTimeLimit: 8000 },
    );
  });
  it('merged (lazily materialised) values equal the parsed ones, positions included', () => {
    fc.assert(
      fc.property(stmts, (model) => {
        const text = printConfig(model);
        const ast = parseText(text, 'p.conf').body;
        const doc = documentFromText(text, 'p.conf');
        const last = new Map<string, unknown>();
        for (const st of ast) if (st.kind === 'option') last.set(st.name.toLowerCase(), st.value);
        assert.deepEqual([...doc.root.options.keys()].sort(), [...last.keys()].sort());
        for (const [k, v] of last) assert.deepEqual(doc.root.options.get(k)!.value, v);
      }),
      { numRuns: 800, interruptAfterTimeLimit: 5000 },
    );
  });
  it('a merged document printed and re-read prints the same (idempotent)', () => {
    fc.assert(
      fc.property(stmts, (model) => {
        const once = printConfig(documentFromText(printConfig(model), 'p.conf'));
        const twice = printConfig(documentFromText(once, 'q.conf'));
        assert.equal(twice, once);
      }),
      { numRuns: 500, interruptAfterTimeLimit: 5000 },
    );
  });
});

describe('property: any input parses or throws a ConfigError with a position', () => {
  it('arbitrary unicode strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), parseOrConfigError), {
      numRuns: 1500,
      interruptAfterTimeLimit: 4000,
    });
  });
  it('token soup', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 80 }), (toks) =>
        parseOrConfigError(toks.join('')),
      ),
      { numRuns: 3000, interruptAfterTimeLimit: 5000 },
    );
  });
  it('random bytes decoded as latin1 and as utf8', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (u8) => {
        const b = Buffer.from(u8);
        parseOrConfigError(b.toString('latin1'));
        parseOrConfigError(b.toString('utf8'));
      }),
      { numRuns: 1500, interruptAfterTimeLimit: 4000 },
    );
  });
  it('mutations of valid documents', () => {
    const edit = fc.record({
      at: fc.nat(),
      del: fc.nat({ max: 4 }),
      ins: fc.array(fc.constantFrom(...TOKENS), { maxLength: 3 }).map((a) => a.join('')),
    });
    fc.assert(
      fc.property(stmts, fc.array(edit, { minLength: 1, maxLength: 4 }), (model, edits) => {
        let t = printConfig(model);
        for (const e of edits) {
          const i = t.length === 0 ? 0 : e.at % (t.length + 1);
          t = t.slice(0, i) + e.ins + t.slice(i + e.del);
        }
        parseOrConfigError(t);
      }),
      { numRuns: 2000, interruptAfterTimeLimit: 6000 },
    );
  });
  it('random bytes as a file: loadConfig throws only ConfigError and closes its descriptors', () => {
    const { dir, cleanup } = tmpDir();
    try {
      const p = join(dir, 'fuzz.conf');
      fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 200 }),
          fc.array(fc.constantFrom(...TOKENS), { maxLength: 20 }),
          (u8, toks) => {
            fs.writeFileSync(p, Buffer.concat([Buffer.from(toks.join('')), Buffer.from(u8)]));
            try {
              loadConfig(p);
            } catch (e) {
              assert.ok(e instanceof ConfigError, String(e));
            }
          },
        ),
        { numRuns: 300, interruptAfterTimeLimit: 3000 },
      );
    } finally {
      cleanup();
    }
  });
});
