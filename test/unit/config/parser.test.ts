import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import {
  documentFromText,
  findScope,
  parseText,
  stripPositions,
  type ConfigDocument,
  type ConfigScope,
  type ScalarModel,
  type StmtModel,
  type ValueModel,
} from '../../../src/config/index.js';
import { assertConfigError, fixture } from './helpers.js';

const F = 'test.conf';

/** The stripped value of option `x` in `x = <text>`. */
function val(text: string): ValueModel {
  const body = stripPositions(parseText(`x = ${text}`, F).body);
  assert.equal(body.length, 1);
  const st = body[0]!;
  assert.equal(st.kind, 'option');
  return (st as Extract<StmtModel, { kind: 'option' }>).value;
}

const s = (text: string, quoted = false): ScalarModel => ({ kind: 'scalar', text, quoted });
const arr = (...items: ValueModel[]): ValueModel => ({ kind: 'array', items });

function scope(
  doc: ConfigDocument | ConfigScope,
  ...path: (string | [string, string])[]
): ConfigScope {
  let cur: ConfigScope = 'root' in doc ? doc.root : doc;
  for (const p of path) {
    const next = typeof p === 'string' ? findScope(cur, p) : findScope(cur, p[0], p[1]);
    assert.ok(next, `scope ${JSON.stringify(p)} missing`);
    cur = next;
  }
  return cur;
}

function text(sc: ConfigScope, name: string): string {
  const o = sc.options.get(name.toLowerCase());
  assert.ok(o, `option ${name} missing`);
  assert.equal(o.value.kind, 'scalar');
  return o.value.kind === 'scalar' ? o.value.text : '';
}

describe('comments', () => {
  it('# comments, full line and trailing, also after {', () => {
    const doc = documentFromText(
      '# full line\na = 1 # trailing\nS {  # after brace\n b = 2 #x\n}\n#eof',
      F,
    );
    assert.equal(text(doc.root, 'a'), '1');
    assert.equal(text(scope(doc, 'S'), 'b'), '2');
    assert.deepEqual([...doc.root.options.keys()], ['a']);
  });
  it('# inside quotes is literal, in scope instance and in values', () => {
    const doc = documentFromText('Domain "#smpp#txt" { v = "a # b" w = \'#\' }', F);
    const d = scope(doc, ['Domain', '#smpp#txt']);
    assert.equal(text(d, 'v'), 'a # b');
    assert.equal(text(d, 'w'), '#');
  });
  it('# ends a bareword', () => {
    assert.deepEqual(val('abc#def\n'), s('abc'));
  });
  it('/* */ comments, spanning lines, anywhere between tokens; lines still counted', () => {
    const p = parseText('/* one\ntwo\nthree */ a /* x */ = /* y */ ( /* z */ 1 /*w*/ 2 ) b = 3', F);
    const body = stripPositions(p.body);
    assert.deepEqual(body, [
      { kind: 'option', name: 'a', value: arr(s('1'), s('2')) },
      { kind: 'option', name: 'b', value: s('3') },
    ]);
    assert.equal(p.body[0]!.line, 3);
    assert.equal(p.body[0]!.col, 10);
    assert.equal(p.body[1]!.line, 3);
  });
  it('/* only opens a comment at the start of a token: barewords may contain / and /*', () => {
    assert.deepEqual(val('a/*b'), s('a/*b'));
    assert.deepEqual(val('/var/log/x'), s('/var/log/x'));
    assert.deepEqual(val('digest:///opt/x'), s('digest:///opt/x'));
    assert.deepEqual(val('a*/'), s('a*/'));
  });
  it('C comments do not nest', () => {
    // the first */ ends the comment; the rest is code
    const p = parseText('/* outer /* inner */ a = 1', F);
    assert.deepEqual(stripPositions(p.body), [{ kind: 'option', name: 'a', value: s('1') }]);
    assertConfigError(
      () => parseText('/* a /* b */ c */', F),
      { line: 1, col: 18 },
      'expected \'{\' after scope instance "*/"',
    );
  });
  it('unterminated /* comment is an error at its start', () => {
    assertConfigError(
      () => parseText('a = 1\n  /* never\nclosed', F),
      { file: F, line: 2, col: 3 },
      'unterminated comment',
    );
  });
});

describe('names', () => {
  it('option and scope names are case-insensitive; reopened scopes merge', () => {
    const doc = documentFromText(
      'ESMTP_Listener { A = 1 }\nEsmtp_Listener { b = 2 }\nesmtp_listener { a = 3 }',
      F,
    );
    assert.equal(doc.root.scopes.size, 1);
    const l = scope(doc, 'esmtp_listener');
    assert.equal(l.name, 'ESMTP_Listener');
    assert.equal(text(l, 'a'), '3');
    assert.equal(l.options.get('a')!.name, 'a');
    assert.equal(text(l, 'B'), '2');
  });
  it('names may contain : - . / and non-ASCII', () => {
    const doc = documentFromText(
      'NAS-IP-Address = fd01:345::1\nhook:delay_dsn = x\nnode1.int.example.com = y\nnäme = z',
      F,
    );
    assert.equal(text(doc.root, 'nas-ip-address'), 'fd01:345::1');
    assert.equal(text(doc.root, 'hook:delay_dsn'), 'x');
    assert.equal(text(doc.root, 'node1.int.example.com'), 'y');
    assert.equal(text(doc.root, 'näme'), 'z');
  });
  it('a quoted name is an error', () => {
    assertConfigError(
      () => parseText('"a" = 1', F),
      { line: 1, col: 1 },
      'expected an option or scope name, found a quoted string',
    );
  });
  it('later value of the same option wins, previous values stay chained', () => {
    const doc = documentFromText('a = 1\nA = 2\na = 3', F);
    const o = doc.root.options.get('a')!;
    assert.equal(o.line, 3);
    assert.equal(o.previous?.line, 2);
    assert.equal(o.previous?.previous?.line, 1);
    assert.equal(o.previous?.previous?.previous, undefined);
  });
});

describe('scalars', () => {
  it('barewords: numbers, signs, dots, colons, octal, plain words', () => {
    assert.deepEqual(val('-1'), s('-1'));
    assert.deepEqual(val('0.2'), s('0.2'));
    assert.deepEqual(val('0666'), s('0666'));
    assert.deepEqual(val('4294967295'), s('4294967295'));
    assert.deepEqual(val('LMTP'), s('LMTP'));
    assert.deepEqual(val('10.10.10.50'), s('10.10.10.50'));
    assert.deepEqual(val('a,b'), s('a,b'), 'outside arrays a comma is an ordinary character');
  });
  it('bareword ends at whitespace and at # " \' = { } [ ] ( )', () => {
    for (const d of ['#', '"x"', "'x'", '=', '{', '}', '[', ']', '(', ')']) {
      const r = (() => {
        try {
          return parseText(`x = ab${d}`, F);
        } catch (e) {
          return e;
        }
      })();
      // either it parsed with value "ab", or it failed *after* "ab" (col 7), never inside it
      if ('body' in (r as object)) {
        const st = (r as ReturnType<typeof parseText>).body[0]!;
        assert.equal(
          st.kind === 'option' && st.value.kind === 'scalar' ? st.value.text : '',
          'ab',
          d,
        );
      } else {
        assert.equal((r as { pos: { col: number } }).pos.col, 7, d);
      }
    }
  });
  it('double-quoted: empty string; \\" \\\\ \\n \\r \\t translated; other pairs verbatim', () => {
    assert.deepEqual(val('""'), s('', true));
    assert.deepEqual(
      val('"220-Welcome to Momentum!\\r\\n"'),
      s('220-Welcome to Momentum!\r\n', true),
    );
    assert.deepEqual(val('"a\\"b\\\\c\\td"'), s('a"b\\c\td', true));
    assert.deepEqual(val('"^bounces-\\d+-\\d+@"'), s('^bounces-\\d+-\\d+@', true));
    assert.deepEqual(val('"\\.\\w\\\'"'), s("\\.\\w\\'", true));
    assert.deepEqual(val('"/^yahoo\\\\.*/"'), s('/^yahoo\\.*/', true));
  });
  it("single-quoted: only \\' and \\\\ translated", () => {
    assert.deepEqual(val("'true'"), s('true', true));
    assert.deepEqual(val("'it\\'s \\\\ \\n \\d \"x\"'"), s('it\'s \\ \\n \\d "x"', true));
    assert.deepEqual(val("''"), s('', true));
  });
  it('strings may span lines; positions after them are right', () => {
    const p = parseText('q = "SELECT a\n  FROM b\n  WHERE c"  next = 1', F);
    const b = p.body;
    assert.equal(
      b[0]!.kind === 'option' && b[0]!.value.kind === 'scalar' && b[0]!.value.text,
      'SELECT a\n  FROM b\n  WHERE c',
    );
    assert.equal(b[1]!.line, 3);
    assert.equal(b[1]!.col, 13);
  });
  it('a backslash-newline pair is kept verbatim and counted as a line', () => {
    const p = parseText('q = "a\\\nb" z = 1', F);
    assert.equal(
      p.body[0]!.kind === 'option' && p.body[0]!.value.kind === 'scalar' && p.body[0]!.value.text,
      'a\\\nb',
    );
    assert.equal(p.body[1]!.line, 2);
  });
  it('unterminated strings are errors at the opening quote', () => {
    assertConfigError(
      () => parseText('a = 1\nb = "abc\n\n', F),
      { line: 2, col: 5 },
      'unterminated string',
    );
    assertConfigError(() => parseText("b = 'abc", F), { line: 1, col: 5 }, 'unterminated string');
    assertConfigError(() => parseText('b = "abc\\', F), { line: 1, col: 5 }, 'unterminated string');
    assertConfigError(
      () => parseText('b = "abc\\"', F),
      { line: 1, col: 5 },
      'unterminated string',
    );
  });
  it('scalar positions are recorded', () => {
    const p = parseText('\n  x =\n    "v"', F);
    const st = p.body[0]!;
    assert.equal(st.kind, 'option');
    if (st.kind === 'option') {
      assert.deepEqual(
        [st.line, st.col, st.value.line, st.value.col, st.value.file],
        [2, 3, 3, 5, F],
      );
    }
  });
});

describe('arrays', () => {
  it('whitespace separated, multi-line, mixed quoted/bare, empty', () => {
    assert.deepEqual(
      val('(XREMOTEIP XDUMPCONTEXT XCLIENT)'),
      arr(s('XREMOTEIP'), s('XDUMPCONTEXT'), s('XCLIENT')),
    );
    assert.deepEqual(val('( "127.0.0.0/8" 0.0.0.0 )'), arr(s('127.0.0.0/8', true), s('0.0.0.0')));
    assert.deepEqual(val('(\n  "odbc:x"\n)'), arr(s('odbc:x', true)));
    assert.deepEqual(val('()'), arr());
    assert.deepEqual(val('( )'), arr());
    assert.deepEqual(val('(127.0.0.0/8 10.10.10.0/24)'), arr(s('127.0.0.0/8'), s('10.10.10.0/24')));
  });
  it('commas between items are accepted (also after strings, and one trailing)', () => {
    assert.deepEqual(val('("from", "to",)'), arr(s('from', true), s('to', true)));
    assert.deepEqual(val('(a, b,c ,d)'), arr(s('a'), s('b'), s('c'), s('d')));
  });
  it('misplaced commas are errors', () => {
    assertConfigError(() => parseText('x = (, a)', F), { line: 1, col: 6 }, "unexpected ','");
    assertConfigError(() => parseText('x = (a,, b)', F), { line: 1, col: 8 }, "unexpected ','");
  });
  it('# comments between items', () => {
    assert.deepEqual(val('(\n # one\n a # two\n b\n)'), arr(s('a'), s('b')));
  });
  it('nested arrays and hashes as items', () => {
    assert.deepEqual(
      val('( (a) [ k = v ] )'),
      arr(arr(s('a')), { kind: 'hash', entries: [{ key: s('k'), value: s('v') }] }),
    );
  });
  it('unclosed array / bad item are errors with positions', () => {
    assertConfigError(
      () => parseText('x = ( a b\n', F),
      { line: 2, col: 1 },
      "expected ')' to close the array opened at line 1, column 5",
    );
    assertConfigError(
      () => parseText('x = ( a { )', F),
      { line: 1, col: 9 },
      "expected a value or ')' in array, found '{'",
    );
    assertConfigError(() => parseText('x = ( a = )', F), { line: 1, col: 9 }, "found '='");
  });
});

describe('hashes', () => {
  const h = (...kv: [ValueModel, ValueModel][]): ValueModel =>
    ({
      kind: 'hash',
      entries: kv.map(([k, v]) => ({
        key: k as Extract<ValueModel, { kind: 'scalar' }>,
        value: v,
      })),
    }) as ValueModel;
  it('quoted, numeric and dotted keys; one line and multi-line', () => {
    assert.deepEqual(val('[ "persist_this" = 1 ]'), h([s('persist_this', true), s('1')]));
    assert.deepEqual(val('[ "0" = "250 ok" ]'), h([s('0', true), s('250 ok', true)]));
    assert.deepEqual(
      val(
        '[\n 99 = "profanity"\n 0.0.0.1 = "list1_hits"\n node1.int.messagesystems.com = "10.77.0.93" ]',
      ),
      h(
        [s('99'), s('profanity', true)],
        [s('0.0.0.1'), s('list1_hits', true)],
        [s('node1.int.messagesystems.com'), s('10.77.0.93', true)],
      ),
    );
    assert.deepEqual(val('[uri="digest:///x"]'), h([s('uri'), s('digest:///x', true)]));
    assert.deepEqual(val('[]'), h());
  });
  it('name [ ... ] is name = [ ... ]', () => {
    assert.deepEqual(
      stripPositions(parseText('bits [ 99 = x ]', F).body),
      stripPositions(parseText('bits = [ 99 = x ]', F).body),
    );
  });
  it('errors: missing =, missing value, missing ], bad key', () => {
    assertConfigError(
      () => parseText('x = [ a b ]', F),
      { line: 1, col: 9 },
      'expected \'=\' after hash key "a"',
    );
    assertConfigError(
      () => parseText('x = [ a = ]', F),
      { line: 1, col: 11 },
      'expected a value after \'=\' for hash key "a"',
    );
    assertConfigError(
      () => parseText('x = [ a = 1\n', F),
      { line: 2, col: 1 },
      "expected ']' to close the hash opened at line 1, column 5",
    );
    assertConfigError(
      () => parseText('x = [ { ]', F),
      { line: 1, col: 7 },
      "expected a key or ']' in hash",
    );
  });
});

describe('scopes', () => {
  it('anonymous, named bareword, named quoted, empty, one-line', () => {
    const doc = documentFromText(
      'ESMTP_Listener { a = 1 }\nDomain yahoo.com { b = 2 }\nbinding "customer-1" { c = 3 }\napn {}\nthreadpool "LUA_TXT_LOGS" { concurrency = 10 }',
      F,
    );
    assert.equal(text(scope(doc, 'esmtp_listener'), 'a'), '1');
    assert.equal(text(scope(doc, ['domain', 'yahoo.com']), 'b'), '2');
    assert.equal(text(scope(doc, ['binding', 'customer-1']), 'c'), '3');
    assert.equal(scope(doc, 'apn').options.size, 0);
    assert.equal(text(scope(doc, ['threadpool', 'LUA_TXT_LOGS']), 'concurrency'), '10');
  });
  it('instance names: quoted and bareword forms are the same instance; case-sensitive', () => {
    const doc = documentFromText(
      'Domain yahoo.com { a = 1 }\ndomain "yahoo.com" { b = 2 }\nDomain Yahoo.com { c = 3 }',
      F,
    );
    const d = scope(doc, ['domain', 'yahoo.com']);
    assert.equal(text(d, 'a'), '1');
    assert.equal(text(d, 'b'), '2');
    assert.equal(d.options.has('c'), false);
    assert.equal(text(scope(doc, ['domain', 'Yahoo.com']), 'c'), '3');
  });
  it('instance is a regex, IPv6 or path', () => {
    const doc = documentFromText(
      'domain "/^(wanadoo|orange)\\.fr$/" {}\nListen "[::1]:8650" {}\nListen /tmp/2025 {}',
      F,
    );
    assert.ok(findScope(doc.root, 'domain', '/^(wanadoo|orange)\\.fr$/'));
    assert.ok(findScope(doc.root, 'listen', '[::1]:8650'));
    assert.ok(findScope(doc.root, 'listen', '/tmp/2025'));
  });
  it('Name = { ... } is a scope; { may be on the next line; no spaces needed', () => {
    const doc = documentFromText(
      'Esmtp_Listener = {\n a = 1\n}\nmail_loop "mail_loop1"\n{\n b = 2\n}\nRole "root"{allow=(".*")}',
      F,
    );
    assert.equal(text(scope(doc, 'esmtp_listener'), 'a'), '1');
    assert.equal(text(scope(doc, ['mail_loop', 'mail_loop1']), 'b'), '2');
    const r = scope(doc, ['role', 'root']).options.get('allow')!;
    assert.deepEqual(
      r.value.kind === 'array' && r.value.items.map((i) => i.kind === 'scalar' && i.text),
      ['.*'],
    );
  });
  it('two options on one line; value on the next line', () => {
    const doc = documentFromText(
      'node node1.int.messagesystems.com { mta_id = 1  votes = 1 }\nx =\n  ":datasource:y"',
      F,
    );
    const n = scope(doc, ['node', 'node1.int.messagesystems.com']);
    assert.equal(text(n, 'mta_id'), '1');
    assert.equal(text(n, 'votes'), '1');
    assert.equal(text(doc.root, 'x'), ':datasource:y');
  });
  it('nesting to depth 3 and reopening a nested scope', () => {
    const doc = documentFromText(
      'ESMTP_Listener { Listen ":25" { Peer "10.0.0.1" { a = 1 } } }\nesmtp_listener { listen ":25" { peer "10.0.0.1" { b = 2 } } }',
      F,
    );
    const p = scope(doc, 'esmtp_listener', ['listen', ':25'], ['peer', '10.0.0.1']);
    assert.equal(text(p, 'a'), '1');
    assert.equal(text(p, 'b'), '2');
  });
  it('a scope and an option may share a name', () => {
    const doc = documentFromText('x = 1\nx { y = 2 }', F);
    assert.equal(text(doc.root, 'x'), '1');
    assert.equal(text(scope(doc, 'x'), 'y'), '2');
  });
});

describe('merged tree (small and big scopes)', () => {
  it('option order is first appearance, later values win, across the switch to an index', () => {
    const lines: string[] = [];
    for (let k = 0; k < 20; k++) lines.push(`Opt${k} = v${k}`);
    lines.push('opt3 = late3', 'OPT19 = late19', 'new = n');
    for (let k = 0; k < 5; k++) lines.push(`opt${k} = again${k}`);
    const doc = documentFromText(lines.join('\n'), F);
    const keys = [...doc.root.options.keys()];
    assert.deepEqual(keys, [...Array.from({ length: 20 }, (_, k) => `opt${k}`), 'new']);
    assert.equal(text(doc.root, 'opt3'), 'again3');
    assert.equal(text(doc.root, 'opt19'), 'late19');
    assert.equal(text(doc.root, 'opt10'), 'v10');
    assert.equal(doc.root.options.get('opt3')!.previous!.previous!.line, 4);
  });
  it('the same holds for a small scope read through the public map, then extended', () => {
    const doc = documentFromText('S { a = 1 b = 2 }', F);
    const sc = scope(doc, 's');
    assert.deepEqual([...sc.options.keys()], ['a', 'b']);
    const doc2 = documentFromText('S { a = 1 b = 2 }\nS { c = 3 a = 4 }', F);
    assert.deepEqual([...scope(doc2, 's').options.keys()], ['a', 'b', 'c']);
    assert.equal(text(scope(doc2, 's'), 'a'), '4');
  });
  it('child scopes keep first-appearance order and merge when reopened, across the switch to an index', () => {
    const parts: string[] = [];
    for (let k = 0; k < 20; k++)
      parts.push(k % 2 ? `Domain d${k} { k = ${k} }` : `Anon${k} { k = ${k} }`);
    parts.push(
      'domain d3 { extra = yes }',
      'anon4 { extra = yes }',
      'Domain "d3" { more = 1 }',
      'Domain D3 { other = 1 }',
    );
    const doc = documentFromText(parts.join('\n'), F);
    const keys = [...doc.root.scopes.keys()];
    assert.equal(keys.length, 21);
    assert.equal(keys[0], 'anon0');
    assert.equal(keys[1], 'domain d1');
    assert.equal(keys[20], 'domain D3');
    assert.deepEqual(
      doc.root.scopeList.map((c) => c.nameLower + (c.instance ? ` ${c.instance.text}` : '')),
      keys,
    );
    const d3 = scope(doc, ['domain', 'd3']);
    assert.deepEqual([...d3.options.keys()], ['k', 'extra', 'more']);
    assert.equal(text(scope(doc, 'anon4'), 'extra'), 'yes');
  });
  it('lazily materialised values carry the same positions as parsed ones', () => {
    const src = '\uFEFFa = 1\nS {\n  b =\n    ( x\n  "y" )\n}\nc = [ k = "v\nw" ]  d = z';
    const doc = documentFromText(src, F);
    const ast = parseText(src, F);
    const b = scope(doc, 's').options.get('b')!.value;
    const astB =
      ast.body[1]!.kind === 'scope' && ast.body[1]!.body[0]!.kind === 'option'
        ? ast.body[1]!.body[0]!.value
        : undefined;
    assert.deepEqual(b, astB);
    for (const [i, k] of [
      [0, 'a'],
      [2, 'c'],
      [3, 'd'],
    ] as const) {
      const st = ast.body[i]!;
      assert.ok(st.kind === 'option');
      assert.deepEqual(doc.root.options.get(k)!.value, st.value);
    }
    assert.equal(doc.root.options.get('a')!.value.col, 5);
  });
});

describe('crafted hash collisions (hostile config)', () => {
  // "Aa" and "BB" have the same value under the tables' fixed hash (h * 31 + c), so every string
  // made of k such blocks collides with the 2^k - 1 others. Without the MAX_PROBES fallback each
  // new name or instance would scan all earlier ones: 2^16 of them took minutes to load.
  const colliding = (k: number): string[] => {
    let out = [''];
    for (let i = 0; i < k; i++) out = out.flatMap((p) => [`${p}Aa`, `${p}BB`]);
    return out;
  };
  // As many as the scope bound (MAX_SCOPES) and the name bound (MAX_NAMES) of limits.ts allow.
  const all = colliding(15);
  const names = colliding(14);

  it('32768 scope instances that all collide load, all distinct, reopened ones merged', {
    timeout: 60_000,
  }, () => {
    const src =
      all.map((w, i) => `s "${w}" { n = ${i} }`).join('\n') + `\ns "${all[7]}" { extra = yes }\n`;
    const doc = documentFromText(src, F);
    assert.equal(doc.root.scopes.size, all.length);
    const seventh = scope(doc, ['s', all[7]!]);
    assert.deepEqual([...seventh.options.keys()], ['n', 'extra']);
    assert.equal(text(seventh, 'n'), '7');
    assert.equal(text(scope(doc, ['s', all[all.length - 1]!]), 'n'), String(all.length - 1));
  });

  it('16384 option names that all collide load, all distinct, later values winning', {
    timeout: 60_000,
  }, () => {
    const src = names.map((w, i) => `${w} = ${i}`).join('\n') + `\n${names[3]} = late\n`;
    const doc = documentFromText(src, F);
    assert.equal(doc.root.options.size, names.length);
    assert.equal(text(doc.root, names[3]!.toLowerCase()), 'late');
    assert.equal(text(doc.root, names[4]!.toLowerCase()), '4');
  });
});

describe('includes (syntax)', () => {
  it('include / readonly_include in any scope, any case, quoted or bare path', () => {
    const body = stripPositions(
      parseText('include "a.conf"\nDomain x { READONLY_INCLUDE \'b.conf\' Include c.conf }', F)
        .body,
    );
    assert.deepEqual(body, [
      { kind: 'include', readonly: false, path: s('a.conf', true) },
      {
        kind: 'scope',
        name: 'Domain',
        instance: s('x'),
        body: [
          { kind: 'include', readonly: true, path: s('b.conf', true) },
          { kind: 'include', readonly: false, path: s('c.conf') },
        ],
      },
    ]);
  });
  it('include without a path, or with an empty path, is an error', () => {
    assertConfigError(
      () => parseText('include = 1', F),
      { line: 1, col: 9 },
      "expected a path after include, found '='",
    );
    assertConfigError(
      () => parseText('include\n', F),
      { line: 2, col: 1 },
      'expected a path after include, found end of file',
    );
    assertConfigError(
      () => parseText('include ""', F),
      { line: 1, col: 9 },
      'empty path after include',
    );
  });
});

describe('syntax errors carry file:line:col and what was expected', () => {
  const cases: [string, number, number, string][] = [
    ['foo\n', 2, 1, "expected '=' or '{' after name \"foo\", found end of file"],
    ['foo }', 1, 5, "expected '=' or '{' after name \"foo\""],
    ['foo )', 1, 5, "expected '=' or '{' after name \"foo\""],
    ['foo bar baz', 1, 9, 'expected \'{\' after scope instance "bar" of "foo"'],
    ['foo bar = 1', 1, 9, "expected '{' after scope instance"],
    ['a = }', 1, 5, "expected a value after '=' for \"a\", found '}'"],
    ['a =', 1, 4, 'expected a value after \'=\' for "a", found end of file'],
    ['}', 1, 1, "unexpected '}' (no scope is open)"],
    ['= 1', 1, 1, "expected an option or scope name, found '='"],
    ['(a)', 1, 1, "expected an option or scope name, found '('"],
    ['S {\n  a = 1\n', 3, 1, 'expected \'}\' to close scope "S" opened at line 1, column 1'],
    ['S { T {\n}', 2, 2, 'expected \'}\' to close scope "S"'],
    ['a = 1 b', 1, 8, "expected '=' or '{' after name \"b\""],
    ['a = "x" "y"', 1, 9, 'expected an option or scope name, found a quoted string'],
    ['\u0001x = 1 \u0002', 1, 9, "expected '=' or '{' after name \"\\u0002\", found end of file"],
  ];
  for (const [input, line, col, detail] of cases) {
    it(JSON.stringify(input), () => {
      assertConfigError(() => parseText(input, F), { file: F, line, col }, detail);
    });
  }
  it('tabs count as one column; CRLF line ends work', () => {
    assertConfigError(
      () => parseText('a = 1\r\n\tfoo', F),
      { line: 2, col: 5 },
      'after name "foo"',
    );
  });
  it('a leading BOM is skipped and not counted as a column', () => {
    const p = parseText('\uFEFFa = 1', F);
    assert.equal(p.body[0]!.col, 1);
    assert.equal(p.body[0]!.kind === 'option' && p.body[0]!.name, 'a');
  });
});

describe('documented examples (fixture documented.conf)', () => {
  const path = fixture('documented.conf');
  const doc = documentFromText(fs.readFileSync(path, 'utf8'), path);
  it('scalars', () => {
    const r = doc.root;
    assert.equal(text(r, 'adaptive_fbl_volume_threshold'), '20000');
    assert.equal(text(r, 'gateway'), '10.10.10.50');
    assert.equal(text(r, 'delivery_method'), 'LMTP');
    assert.equal(text(r, 'nas-ip-address'), 'fd01:345::1');
    assert.equal(text(r, 'mailfrom'), '');
    assert.equal(text(r, 'clear_mail_queue_maintainers'), 'true');
    assert.equal(text(r, 'banner'), '220-Welcome to Momentum!\r\n');
    assert.equal(text(r, 'bounce_pattern'), '^bounces-\\d+-\\d+@');
    assert.equal(text(r, 'max_rows'), '-1');
    assert.equal(text(r, 'low_threshold'), '0.2');
    assert.equal(text(r, 'file_mode'), '0666');
    assert.equal(text(r, 'max_dns_ttl'), '4294967295');
    assert.equal(text(r, 'outbound_throttle_messages'), '60/3');
    assert.equal(text(r, 'enable_duravip'), 'true');
    assert.equal(
      text(r, 'user_smtp_classification_override'),
      ':datasource:bounce_classifier_override',
    );
  });
  it('scopes', () => {
    assert.equal(text(scope(doc, ['peer', '10.0.0.0/8']), 'idle_timeout'), '600');
    assert.equal(text(scope(doc, ['domain', '#smpp#txt']), 'smpp_hash'), 'inside # quotes');
    const l = scope(doc, 'esmtp_listener');
    assert.equal(text(l, 'esmtp_option'), 'merged into the same scope');
    assert.ok(findScope(findScope(l, 'listen', ':25')!, 'peer', '10.0.0.1'));
    assert.equal(text(scope(doc, 'rfc2822'), 'lone_lf_in_body'), 'fix');
    assert.equal(text(scope(doc, ['threadpool', 'LUA_TXT_LOGS']), 'concurrency'), '10');
    assert.equal(text(scope(doc, ['mail_loop', 'mail_loop1']), 'enabled'), 'true');
    assert.equal(text(scope(doc, ['node', 'node1.int.messagesystems.com']), 'votes'), '1');
    const g = scope(doc, ['binding_group', 'group1']);
    assert.equal(text(g, 'binding'), 'customer-2');
    assert.equal(text(g, 'extra'), 'yes');
    assert.equal(scope(doc, 'apn').options.size, 0);
  });
  it('arrays and hashes', () => {
    const items = (sc: ConfigScope, n: string): string[] => {
      const v = sc.options.get(n)!.value;
      assert.equal(v.kind, 'array');
      return v.kind === 'array' ? v.items.map((i) => (i.kind === 'scalar' ? i.text : '?')) : [];
    };
    assert.deepEqual(items(doc.root, 'uri'), [
      'odbc:DSN=ecelerity;UID=ecuser',
      'sqlite:/var/db/ecelerity.db',
    ]);
    assert.deepEqual(items(doc.root, 'debug'), []);
    assert.deepEqual(items(doc.root, 'smtp_extensions'), [
      'XREMOTEIP',
      'XDUMPCONTEXT',
      'XCLIENT',
      'XSETCONTEXT',
    ]);
    assert.deepEqual(items(doc.root, 'prohibited_hosts'), ['127.0.0.0/8', '0.0.0.0']);
    assert.deepEqual(items(scope(doc, 'cluster'), 'unicast_peers'), ['10.77.0.93', '10.77.0.94']);
    const keys = (sc: ConfigScope, n: string): string[] => {
      const v = sc.options.get(n)!.value;
      return v.kind === 'hash'
        ? v.entries.map((e) => `${e.key.text}=${e.value.kind === 'scalar' ? e.value.text : '?'}`)
        : [];
    };
    assert.deepEqual(keys(scope(doc, 'url_ripper'), 'bits'), [
      '99=profanity',
      '0.0.0.1=list1_hits',
    ]);
    assert.deepEqual(keys(scope(doc, 'pipe_transport'), 'status_map'), ['0=250 ok']);
    assert.deepEqual(keys(doc.root, 'smpp_persistent_connections'), ['persist_this=1']);
    assert.deepEqual(keys(scope(doc, 'cluster'), 'nodes'), [
      'node1.int.messagesystems.com=10.77.0.93',
    ]);
  });
});

describe('ambiguous doc snippets (decisions)', () => {
  const load = (n: string): ConfigDocument => {
    const p = fixture('ambiguous', n);
    return documentFromText(fs.readFileSync(p, 'utf8'), p);
  };
  it('1: unquoted / in barewords and instances is accepted', () => {
    const d = load('1-slash-barewords.conf');
    assert.equal(text(d.root, 'uri'), 'digest:///opt/msys/ecelerity/etc/digest.pw');
    assert.equal(text(d.root, 'mainlog'), '/var/log/ecelerity/mainlog.ec');
    assert.ok(findScope(d.root, 'listen', '/tmp/2025'));
    const rh = d.root.options.get('relay_hosts')!.value;
    assert.deepEqual(rh.kind === 'array' && rh.items.map((i) => i.kind === 'scalar' && i.text), [
      '127.0.0.0/8',
      '10.10.10.0/24',
    ]);
  });
  it('2: name [ ... ] is a hash option', () => {
    const d = load('2-hash-without-equals.conf');
    for (const [sc, name] of [
      [scope(d, ['url_ripper', 'url_ripper1']), 'bits'],
      [scope(d, 'auth_radius'), 'map'],
      [d.root, 'authdigestmd5parameters'],
      [scope(d, 'delay_dsn'), 'hook:delay_dsn_send_notification'],
    ] as const) {
      assert.equal(sc.options.get(name)?.value.kind, 'hash', name);
    }
  });
  it('3: Name = { ... } is a scope', () => {
    const d = load('3-scope-with-equals.conf');
    assert.equal(
      text(scope(d, 'esmtp_listener', ['listen', ':25']), 'tls_certificate'),
      '/opt/msys/ecelerity/etc/cert.pem',
    );
  });
  it('4: strings span lines', () => {
    const d = load('4-multiline-string.conf');
    assert.equal(
      text(scope(d, 'auth_ds'), 'query'),
      'SELECT password FROM users\n           WHERE username = :username',
    );
    assert.equal(scope(d, 'auth_ds').options.get('after')!.line, 5);
  });
  it('5: commas between array items are separators', () => {
    const d = load('5-array-commas.conf');
    const o = scope(d, ['opendkim', 'opendkim1']);
    const t = (n: string): unknown => {
      const v = o.options.get(n)!.value;
      return v.kind === 'array' && v.items.map((i) => i.kind === 'scalar' && i.text);
    };
    assert.deepEqual(t('headerlist'), [
      'from',
      'to',
      'message-id',
      'date',
      'subject',
      'Content-Type',
    ]);
    assert.deepEqual(t('mixed'), ['a', 'b', 'c', 'd', 'e']);
  });
  it('6: an unquoted regex instance containing ( | ) is rejected with a position', () => {
    const p = fixture('ambiguous', '6-unquoted-regex-scope.conf');
    assertConfigError(
      () => parseText(fs.readFileSync(p, 'utf8'), p),
      { file: p, line: 2, col: 18 },
      'expected \'{\' after scope instance "/yahoo\\\\.co"',
    );
  });
  it('doc example with a missing } is an error at end of file', () => {
    const p = fixture('invalid', 'ha-proxy-missing-brace.conf');
    assertConfigError(
      () => parseText(fs.readFileSync(p, 'utf8'), p),
      { file: p, line: 7, col: 1 },
      'expected \'}\' to close scope "ha_proxy_client" opened at line 2, column 1',
    );
  });
});
