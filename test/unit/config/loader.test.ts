import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join, relative } from 'node:path';
import {
  findScope,
  loadConfig,
  MAX_FILES,
  MAX_INCLUDE_DEPTH,
  MAX_NESTING,
  MAX_NAMES,
  MAX_NODES,
  MAX_SCOPES,
  MAX_TOTAL_BYTES,
  parseText,
  type ConfigScope,
} from '../../../src/config/index.js';
import { resolveLimits } from '../../../src/config/limits.js';
import { ConfigError } from '../../../src/errors.js';
import { assertConfigError, fixture, openFdCount, tmpDir, writeTree } from './helpers.js';

function text(sc: ConfigScope | undefined, name: string): string | undefined {
  const v = sc?.options.get(name)?.value;
  return v?.kind === 'scalar' ? v.text : undefined;
}

describe('include and readonly_include', () => {
  const main = fixture('includes', 'ecelerity.conf');
  const dir = dirname(main);
  it('files and folders, in any scope, merged in order; hidden files and sub-folders skipped', () => {
    const doc = loadConfig(main);
    assert.equal(text(doc.root, 'order'), 'second');
    assert.equal(text(doc.root, 'first'), 'yes');
    assert.equal(text(doc.root, 'second'), 'yes');
    assert.equal(doc.root.options.has('hidden'), false);
    const sec = findScope(doc.root, 'security');
    assert.equal(text(sec, 'user'), 'ecuser');
    assert.equal(text(sec, 'group'), 'ecgroup', 'include inside the security scope merges into it');
    assert.equal(
      text(findScope(doc.root, 'domain', 'yahoo.com'), 'max_outbound_connections'),
      '20',
    );
    assert.equal(text(doc.root, 'shared_from'), 'main_folder');
    assert.deepEqual(doc.files, [
      main,
      join(dir, 'lib/security-extra.conf'),
      join(dir, 'conf.d/10-first.conf'),
      join(dir, 'conf.d/20-second.conf'),
      join(dir, 'lib/domain.conf'),
      join(dir, 'lib/nested.conf'),
      join(dir, 'shared.conf'),
    ]);
    // positions point into the included files
    assert.equal(doc.root.options.get('order')!.file, join(dir, 'conf.d/20-second.conf'));
    assert.equal(doc.root.options.get('order')!.line, 1);
  });
  it('a relative path is looked up first in the folder of the including file', () => {
    const { dir: d, cleanup } = tmpDir();
    try {
      writeTree(d, {
        'main.conf': 'include "sub/a.conf"\n',
        'sub/a.conf': 'include "x.conf"\n',
        'sub/x.conf': 'where = sub\n',
        'x.conf': 'where = main\n',
      });
      assert.equal(text(loadConfig(join(d, 'main.conf')).root, 'where'), 'sub');
      fs.rmSync(join(d, 'sub/x.conf'));
      assert.equal(
        text(loadConfig(join(d, 'main.conf')).root, 'where'),
        'main',
        'then in the main file folder',
      );
    } finally {
      cleanup();
    }
  });
  it('absolute include paths; a file may be included twice (not cyclically); relative main path', () => {
    const { dir: d, cleanup } = tmpDir();
    try {
      writeTree(d, {
        'main.conf': `include "${d}/abs.conf"\ninclude "twice.conf"\nS { include "twice.conf" }\n`,
        'abs.conf': 'abs = 1\n',
        'twice.conf': 'n = 2\n',
      });
      const doc = loadConfig(join(d, 'main.conf'));
      assert.equal(text(doc.root, 'abs'), '1');
      assert.equal(text(doc.root, 'n'), '2');
      assert.equal(text(findScope(doc.root, 's'), 'n'), '2');
      const rel = relative(process.cwd(), join(d, 'main.conf'));
      const doc2 = loadConfig(rel);
      assert.equal(doc2.files[0], rel);
      assert.equal(doc2.files[2], join(dirname(rel), 'twice.conf'));
    } finally {
      cleanup();
    }
  });
  it('folder order is by code unit (C locale), not locale collation', () => {
    const { dir: d, cleanup } = tmpDir();
    try {
      writeTree(d, {
        'main.conf': 'include "d"\n',
        'd/b.conf': 'o = (b)\nlast = b\n',
        'd/B.conf': 'last = B\n',
        'd/a.conf': 'last = a\n',
        'd/_.conf': 'last = _\n',
      });
      const doc = loadConfig(join(d, 'main.conf'));
      assert.deepEqual(
        doc.files.slice(1).map((f) => f.slice(f.lastIndexOf('/') + 1)),
        ['B.conf', '_.conf', 'a.conf', 'b.conf'],
      );
      assert.equal(text(doc.root, 'last'), 'b');
    } finally {
      cleanup();
    }
  });
  it('symlinks in a folder: to a file included, to a folder skipped; FIFOs skipped without blocking', () => {
    const { dir: d, cleanup } = tmpDir();
    try {
      writeTree(d, {
        'main.conf': 'include "d"\n',
        'target.conf': 'via_link = yes\n',
        'other/x.conf': 'from_dir_link = yes\n',
        'd/1.conf': 'one = 1\n',
      });
      fs.symlinkSync(join(d, 'target.conf'), join(d, 'd/2-link.conf'));
      fs.symlinkSync(join(d, 'other'), join(d, 'd/3-dirlink'));
      execFileSync('mkfifo', [join(d, 'd/4-fifo')]);
      const doc = loadConfig(join(d, 'main.conf'));
      assert.equal(text(doc.root, 'one'), '1');
      assert.equal(text(doc.root, 'via_link'), 'yes');
      assert.equal(doc.root.options.has('from_dir_link'), false);
      assert.equal(doc.files.length, 3);
    } finally {
      cleanup();
    }
  });
  it('followIncludes: false parses the main file only', () => {
    const doc = loadConfig(main, { followIncludes: false });
    assert.deepEqual(doc.files, [main]);
    assert.equal(text(doc.root, 'order'), 'main');
    assert.equal(text(findScope(doc.root, 'security'), 'group'), undefined);
  });
});

describe('include errors', () => {
  it('a cycle names the chain, at the include that closes it', () => {
    const a = fixture('cycle', 'a.conf');
    const b = fixture('cycle', 'b.conf');
    const e = assertConfigError(
      () => loadConfig(a),
      { file: b, line: 2, col: 1 },
      `include cycle: ${a} -> ${b} -> ${a}`,
    );
    assert.ok(e.message.includes('a.conf -> '));
  });
  it('a file including itself, and a folder included from a file inside it, are cycles', () => {
    const { dir: d, cleanup } = tmpDir();
    try {
      writeTree(d, {
        'self.conf': 'x = 1\n  include "self.conf"\n',
        'main.conf': 'include "d"\n',
        'd/a.conf': 'include "."\n',
      });
      const self = join(d, 'self.conf');
      assertConfigError(
        () => loadConfig(self),
        { file: self, line: 2, col: 3 },
        `include cycle: ${self} -> ${self}`,
      );
      assertConfigError(
        () => loadConfig(join(d, 'main.conf')),
        { file: join(d, 'd/a.conf'), line: 1, col: 1 },
        `include cycle: ${join(d, 'd')} -> ${join(d, 'd/a.conf')} -> ${join(d, 'd')}/.`,
      );
    } finally {
      cleanup();
    }
  });
  it('a missing include names the including file:line:col and where it looked', () => {
    const m = fixture('missing', 'ecelerity.conf');
    const e = assertConfigError(
      () => loadConfig(m),
      { file: m, line: 3, col: 3 },
      'include "does-not-exist.conf": no such file or folder',
    );
    assert.ok(e.detail.includes(join(dirname(m), 'does-not-exist.conf')));
  });
  it('missing main file, main is a folder, main is a FIFO', () => {
    const { dir: d, cleanup } = tmpDir();
    try {
      // A missing main file has no position to point at: no made-up FILE:1:1, and the fix named.
      assert.throws(
        () => loadConfig(join(d, 'nope.conf')),
        (e: Error) =>
          !(e instanceof ConfigError) &&
          e.message.startsWith(`no config file at ${join(d, 'nope.conf')} (ENOENT`) &&
          e.message.includes('-c') &&
          !e.message.includes(':1:1'),
      );
      assertConfigError(() => loadConfig(d), { file: d, line: 1, col: 1 }, 'is a folder');
      execFileSync('mkfifo', [join(d, 'fifo')]);
      assertConfigError(
        () => loadConfig(join(d, 'fifo')),
        { line: 1, col: 1 },
        'not a regular file',
      );
      writeTree(d, { 'main.conf': 'a = 1\ninclude "fifo"\n' });
      assertConfigError(
        () => loadConfig(join(d, 'main.conf')),
        { line: 2, col: 1 },
        'is not a regular file or folder',
      );
    } finally {
      cleanup();
    }
  });
  it('syntax errors in included files carry the included file position', () => {
    const { dir: d, cleanup } = tmpDir();
    try {
      writeTree(d, { 'main.conf': 'include "inc.conf"\n', 'inc.conf': 'a = 1\nb = "open\n' });
      assertConfigError(
        () => loadConfig(join(d, 'main.conf')),
        { file: join(d, 'inc.conf'), line: 2, col: 5 },
        'unterminated string',
      );
    } finally {
      cleanup();
    }
  });
  it('invalid UTF-8 is an error at its line and column', () => {
    const { dir: d, cleanup } = tmpDir();
    try {
      const p = join(d, 'bad.conf');
      fs.writeFileSync(
        p,
        Buffer.concat([Buffer.from('a = 1\nb = "é'), Buffer.from([0xff, 0x22, 0x0a])]),
      );
      assertConfigError(() => loadConfig(p), { file: p, line: 2, col: 7 }, 'invalid UTF-8');
      fs.writeFileSync(p, Buffer.from([0xef, 0xbb, 0xbf, 0x61, 0x3d, 0x31]));
      assert.equal(text(loadConfig(p).root, 'a'), '1', 'a UTF-8 BOM is accepted');
    } finally {
      cleanup();
    }
  });
});

describe('bounds', () => {
  const nestScopes = (n: number): string => `${'S {\n'.repeat(n)}a = 1\n${'}\n'.repeat(n)}`;
  it(`scope nesting: ${MAX_NESTING} levels parse, one more is an error at the opening brace`, () => {
    assert.equal(parseText(nestScopes(MAX_NESTING), 'f').body.length, 1);
    assertConfigError(
      () => parseText(nestScopes(MAX_NESTING + 1), 'f'),
      { line: MAX_NESTING + 1, col: 3 },
      `scope nested too deeply (maximum nesting depth is ${MAX_NESTING})`,
    );
  });
  it('array and hash nesting count too', () => {
    const arrays = (n: number): string => `x = ${'('.repeat(n)}${')'.repeat(n)}`;
    assert.equal(parseText(arrays(MAX_NESTING), 'f').body.length, 1);
    assertConfigError(
      () => parseText(arrays(MAX_NESTING + 1), 'f'),
      { line: 1, col: 5 + MAX_NESTING },
      'array nested too deeply',
    );
    assertConfigError(
      () => parseText(`x = ${'[ k = '.repeat(MAX_NESTING + 1)}`, 'f'),
      { line: 1, col: 5 + 6 * MAX_NESTING },
      'hash nested too deeply',
    );
  });
  it('hostile nesting (100k levels) is a ConfigError, never a stack overflow', () => {
    for (const src of [
      'x = ' + '('.repeat(100_000),
      'a {'.repeat(100_000),
      'x = ' + '[k='.repeat(100_000),
      '( '.repeat(100_000),
    ]) {
      assert.throws(() => parseText(src, 'f'), ConfigError);
    }
  });
  it('nesting is counted across includes', () => {
    const { dir: d, cleanup } = tmpDir();
    try {
      writeTree(d, {
        'main.conf': `${'S {\n'.repeat(40)}include "inc.conf"\n${'}\n'.repeat(40)}`,
        'inc.conf': nestScopes(30),
        'ok.conf': `${'S {\n'.repeat(40)}include "inc2.conf"\n${'}\n'.repeat(40)}`,
        'inc2.conf': nestScopes(MAX_NESTING - 40),
      });
      assertConfigError(
        () => loadConfig(join(d, 'main.conf')),
        { file: join(d, 'inc.conf'), line: MAX_NESTING - 40 + 1, col: 3 },
        'nested too deeply',
      );
      assert.equal(loadConfig(join(d, 'ok.conf')).files.length, 2);
    } finally {
      cleanup();
    }
  });
  it(`include depth: ${MAX_INCLUDE_DEPTH} levels load, one more is an error at the include`, () => {
    const { dir: d, cleanup } = tmpDir();
    try {
      const files: Record<string, string> = {};
      for (let k = 0; k <= MAX_INCLUDE_DEPTH + 2; k++)
        files[`f${k}.conf`] = `v${k} = ${k}\ninclude "f${k + 1}.conf"\n`;
      files[`f${MAX_INCLUDE_DEPTH + 3}.conf`] = 'end = 1\n';
      writeTree(d, files);
      const tooDeep = join(d, 'f0.conf');
      assertConfigError(
        () => loadConfig(tooDeep),
        { file: join(d, `f${MAX_INCLUDE_DEPTH}.conf`), line: 2, col: 1 },
        `maximum include depth is ${MAX_INCLUDE_DEPTH}`,
      );
      const ok = loadConfig(join(d, 'f3.conf'));
      assert.equal(ok.files.length, MAX_INCLUDE_DEPTH + 1);
      assert.equal(text(ok.root, 'end'), '1');
    } finally {
      cleanup();
    }
  });
  it(`total bytes: more than ${MAX_TOTAL_BYTES} bytes is an error at the include (sparse file, not read)`, () => {
    const { dir: d, cleanup } = tmpDir();
    try {
      writeTree(d, { 'main.conf': 'a = 1\n include "big.conf"\n', 'small.conf': 'x = 1\n' });
      const fd = fs.openSync(join(d, 'big.conf'), 'w');
      fs.ftruncateSync(fd, MAX_TOTAL_BYTES + 1);
      fs.closeSync(fd);
      assertConfigError(
        () => loadConfig(join(d, 'main.conf')),
        { file: join(d, 'main.conf'), line: 2, col: 2 },
        `exceed the limit of ${MAX_TOTAL_BYTES} bytes`,
      );
      // the sum over files counts, not one file: lowered limit, two files of 6 bytes
      writeTree(d, { 'two.conf': 'include "small.conf"\ninclude "small.conf"\n' });
      const size = fs.statSync(join(d, 'two.conf')).size;
      assert.equal(
        loadConfig(join(d, 'two.conf'), { limits: { maxTotalBytes: size + 12 } }).files.length,
        3,
      );
      assertConfigError(
        () => loadConfig(join(d, 'two.conf'), { limits: { maxTotalBytes: size + 11 } }),
        { line: 2, col: 1 },
        'configuration too large',
      );
      assertConfigError(
        () => loadConfig(join(d, 'two.conf'), { limits: { maxTotalBytes: size - 1 } }),
        { line: 1, col: 1 },
        'configuration too large',
      );
    } finally {
      cleanup();
    }
  });
  it(`files: more than ${MAX_FILES} files and folders opened is an error`, () => {
    const { dir: d, cleanup } = tmpDir();
    try {
      writeTree(d, {
        'main.conf': 'include "x.conf"\n'.repeat(MAX_FILES + 10),
        'x.conf': 'x = 1\n',
        'ok.conf': 'include "x.conf"\n'.repeat(MAX_FILES - 1),
      });
      assertConfigError(
        () => loadConfig(join(d, 'main.conf')),
        { line: MAX_FILES, col: 1 },
        `more than ${MAX_FILES} files and folders`,
      );
      assert.equal(loadConfig(join(d, 'ok.conf')).files.length, MAX_FILES);
      // folders and their entries count
      writeTree(d, { 'dir.conf': 'include "d"\n', 'd/1': 'a=1', 'd/2': 'a=2', 'd/3': 'a=3' });
      assert.equal(loadConfig(join(d, 'dir.conf'), { limits: { maxFiles: 5 } }).files.length, 4);
      assertConfigError(
        () => loadConfig(join(d, 'dir.conf'), { limits: { maxFiles: 4 } }),
        { line: 1, col: 1 },
        'more than 4 files',
      );
    } finally {
      cleanup();
    }
  });
  it('folder entries are bounded', () => {
    const { dir: d, cleanup } = tmpDir();
    try {
      writeTree(d, {
        'main.conf': 'include "d"\n',
        'd/1': '',
        'd/2': '',
        'd/.3': '',
        'd/sub/x': '',
      });
      assert.equal(
        loadConfig(join(d, 'main.conf'), { limits: { maxDirEntries: 4 } }).files.length,
        3,
      );
      assertConfigError(
        () => loadConfig(join(d, 'main.conf'), { limits: { maxDirEntries: 3 } }),
        { line: 1, col: 1 },
        'has more than 3 entries',
      );
    } finally {
      cleanup();
    }
  });
  it(`statements and values: more than ${MAX_NODES} is an error`, () => {
    // 1 option + 1 array + items
    const ok = `x = (${' a'.repeat(MAX_NODES - 2)} )`;
    assert.equal(parseText(ok, 'f').body.length, 1);
    const bad = `x = (${' a'.repeat(MAX_NODES - 1)} )`;
    assertConfigError(
      () => parseText(bad, 'f'),
      { line: 1, col: 7 + 2 * (MAX_NODES - 2) },
      `more than ${MAX_NODES} statements and values`,
    );
  });
  it(`scopes: more than ${MAX_SCOPES} opened in one load is an error (reopened ones count again)`, () => {
    const ok = 's x {}\n'.repeat(MAX_SCOPES);
    assert.equal(parseText(ok, 'f').body.length, MAX_SCOPES);
    assertConfigError(
      () => parseText(ok + 's x {}\n', 'f'),
      { line: MAX_SCOPES + 1, col: 1 },
      `more than ${MAX_SCOPES} scopes`,
    );
    const { dir: d, cleanup } = tmpDir();
    try {
      writeTree(d, { 'main.conf': 'a {}\ninclude "i.conf"\n', 'i.conf': 'a { b {} }\n' });
      assert.equal(loadConfig(join(d, 'main.conf'), { limits: { maxScopes: 3 } }).files.length, 2);
      assertConfigError(
        () => loadConfig(join(d, 'main.conf'), { limits: { maxScopes: 2 } }),
        { file: join(d, 'i.conf'), line: 1, col: 5 },
        'more than 2 scopes',
      );
    } finally {
      cleanup();
    }
  });
  it(`names: more than ${MAX_NAMES} different option and scope names in one load is an error`, () => {
    const names = (n: number): string =>
      Array.from({ length: n }, (_, i) => `o${i} = v\n`).join('');
    assert.equal(parseText(names(MAX_NAMES) + 'o0 = again\n', 'f').body.length, MAX_NAMES + 1);
    assertConfigError(
      () => parseText(names(MAX_NAMES + 1), 'f'),
      { line: MAX_NAMES + 1, col: 1 },
      `more than ${MAX_NAMES} different option and scope names`,
    );
  });
  it('the node budget is shared by all files of a load', () => {
    const { dir: d, cleanup } = tmpDir();
    try {
      writeTree(d, { 'main.conf': 'a = 1\ninclude "i.conf"\n', 'i.conf': 'b = 2\nc = 3\n' });
      // main: a, 1, include, "i.conf" = 4 nodes; i.conf: 4 nodes
      assert.equal(loadConfig(join(d, 'main.conf'), { limits: { maxNodes: 8 } }).files.length, 2);
      assertConfigError(
        () => loadConfig(join(d, 'main.conf'), { limits: { maxNodes: 7 } }),
        { file: join(d, 'i.conf'), line: 2, col: 5 },
        'more than 7',
      );
    } finally {
      cleanup();
    }
  });
  it('limits can only be lowered', () => {
    const l = resolveLimits({
      maxNesting: 10_000,
      maxFiles: 2,
      maxTotalBytes: Number.POSITIVE_INFINITY,
      maxNodes: -1,
    });
    assert.equal(l.maxNesting, MAX_NESTING);
    assert.equal(l.maxFiles, 2);
    assert.equal(l.maxTotalBytes, MAX_TOTAL_BYTES);
    assert.equal(l.maxNodes, MAX_NODES);
  });
});

describe('descriptors: onOpen sees what is read; every fd is closed', () => {
  it('onOpen gets every file and folder with an open descriptor of the right kind', () => {
    const main = fixture('includes', 'ecelerity.conf');
    const seen: [string, string, boolean][] = [];
    const doc = loadConfig(main, {
      onOpen: (fd, path, kind) => {
        const st = fs.fstatSync(fd);
        seen.push([
          relative(dirname(main), path),
          kind,
          kind === 'dir' ? st.isDirectory() : st.isFile(),
        ]);
      },
    });
    assert.deepEqual(seen, [
      ['ecelerity.conf', 'file', true],
      ['lib/security-extra.conf', 'file', true],
      ['conf.d', 'dir', true],
      ['conf.d/10-first.conf', 'file', true],
      ['conf.d/20-second.conf', 'file', true],
      ['lib/domain.conf', 'file', true],
      ['lib/nested.conf', 'file', true],
      ['shared.conf', 'file', true],
    ]);
    assert.equal(doc.files.length, 7);
  });
  it('a refusal propagates unchanged and leaves no descriptor open', () => {
    const main = fixture('includes', 'ecelerity.conf');
    const before = openFdCount();
    class Refused extends Error {}
    for (const victim of ['ecelerity.conf', 'conf.d', '20-second.conf', 'shared.conf']) {
      assert.throws(
        () =>
          loadConfig(main, {
            onOpen: (_fd, path) => {
              if (path.endsWith(victim)) throw new Refused(path);
            },
          }),
        (e: unknown) => e instanceof Refused && e.message.endsWith(victim),
      );
    }
    assert.equal(openFdCount(), before);
  });
  it('no descriptor leaks on success or on any error', () => {
    const before = openFdCount();
    loadConfig(fixture('includes', 'ecelerity.conf'));
    assert.throws(() => loadConfig(fixture('cycle', 'a.conf')), ConfigError);
    assert.throws(() => loadConfig(fixture('missing', 'ecelerity.conf')), ConfigError);
    assert.throws(() => loadConfig(fixture('invalid', 'ha-proxy-missing-brace.conf')), ConfigError);
    assert.equal(openFdCount(), before);
  });
  it('a symlink swapped after the check cannot change what is read', () => {
    const { dir: d, cleanup } = tmpDir();
    try {
      writeTree(d, {
        'main.conf': 'include "link.conf"\ninclude "d"\n',
        'good.conf': 'user_is = good\n',
        'evil.conf': 'user_is = evil\n',
        'd/x.conf': 'dir_is = good\n',
        'evil/x.conf': 'dir_is = evil\n',
      });
      fs.symlinkSync(join(d, 'good.conf'), join(d, 'link.conf'));
      const doc = loadConfig(join(d, 'main.conf'), {
        onOpen: (_fd, path) => {
          if (path.endsWith('link.conf')) {
            fs.rmSync(join(d, 'link.conf'));
            fs.symlinkSync(join(d, 'evil.conf'), join(d, 'link.conf'));
          }
          if (path === join(d, 'd')) {
            // replace the folder by another one after its descriptor was checked
            fs.renameSync(join(d, 'd'), join(d, 'd-old'));
            fs.renameSync(join(d, 'evil'), join(d, 'd'));
          }
        },
      });
      assert.equal(text(doc.root, 'user_is'), 'good');
      assert.equal(text(doc.root, 'dir_is'), 'good');
    } finally {
      cleanup();
    }
  });
});
