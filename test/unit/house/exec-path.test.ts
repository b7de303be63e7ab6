/**
 * The exec path's rules, checked on the built bundle (dist/secwrap.cjs, what the executable
 * runs), not left to comments:
 * - src/exec/startup.ts is the first module that runs (it must see the stdio flags before
 *   anything creates process.stdout);
 * - the bundle loads only a few built-in modules, never node:tty (whose net and stream modules
 *   cost every start), and no yargs (the CLI is its own bundle, loaded only off the run path);
 * - no regular expression is executed on the run path (compiling one costs start-up): a preload
 *   records every RegExp exec called from the bundle during a real drop as root.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const bundle = join(root, 'dist', 'secwrap.cjs');
const text = readFileSync(bundle, 'utf8');

test('src/exec/startup.ts is the first module the bundle runs', () => {
  // esbuild marks each module with a "// path" line; "cli-apart:cli" is a lazy wrapper that only
  // defines require("./cli.cjs") for later.
  const modules = [...text.matchAll(/^\/\/ ((?:src|cmd|node_modules|cli-apart)[^\n]*)$/gm)].map(
    (m) => m[1],
  );
  assert.equal(
    modules.filter((m) => m !== 'cli-apart:cli')[0],
    'src/exec/startup.ts',
    modules.slice(0, 5).join(', '),
  );
});

test('the bundle loads only these built-in modules, never node:tty, and no yargs', () => {
  const required = new Set([...text.matchAll(/\brequire\(["']([^"']+)["']\)/g)].map((m) => m[1]));
  assert.deepEqual([...required].sort(), [
    './cli.cjs',
    'node:buffer',
    'node:fs',
    'node:path',
    'node:sea',
    'node:url',
    'node:v8',
  ]);
  assert.ok(!/^\/\/ node_modules\/yargs/m.test(text), 'yargs is bundled into the run path');
});

test('no regular expression runs on the run path (a real drop, as root)', () => {
  assert.equal(
    process.geteuid!(),
    0,
    'npm test runs as root: the run path is traced through a real drop',
  );
  const dir = mkdtempSync('/run/secwrap-exec-path-'); // root's 0755 /run: the path rule accepts it
  try {
    chmodSync(dir, 0o755);
    const conf = join(dir, 'ecelerity.conf');
    writeFileSync(
      conf,
      'security {\n  user = nobody\n  group = nogroup\n  capabilities = "cap_net_bind_service+ep"\n}\n',
      { mode: 0o644 },
    );
    const log = join(dir, 'regexp.log');
    const hook = join(dir, 'hook.cjs');
    // Every RegExp method ends in RegExp.prototype.exec once exec is replaced (the spec's
    // RegExpExec looks it up), so this sees test, match, replace and split too.
    writeFileSync(
      hook,
      `const fs = require('fs'); const fd = fs.openSync(${JSON.stringify(log)}, 'a');
       const exec = RegExp.prototype.exec;
       RegExp.prototype.exec = function (s) {
         const stack = new Error().stack ?? '';
         if (stack.includes('secwrap.cjs')) fs.writeSync(fd, String(this) + '\\n' + stack + '\\n');
         return exec.call(this, s);
       };`,
    );
    const runs = [
      ['-c', conf, '--', '/bin/true'],
      [
        '-u',
        'nobody',
        '-g',
        'nogroup',
        '--caps',
        'cap_net_bind_service+ep',
        '--preserve-fds',
        '0',
        '--',
        '/bin/true',
      ],
    ];
    for (const args of runs) {
      writeFileSync(log, '');
      execFileSync(process.execPath, ['--require', hook, bundle, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      assert.equal(readFileSync(log, 'utf8'), '', `secwrap ${args.join(' ')}`);
    }
    // gosu and su-exec mode (started under that name) take the same path
    for (const [argv0, spec] of [
      ['gosu', 'nobody:nogroup'],
      ['gosu', 'nobody'],
      ['su-exec', 'nobody'],
    ] as const) {
      writeFileSync(log, '');
      const r = spawnSync(process.execPath, ['--require', hook, bundle, spec, '/bin/true'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        argv0,
      });
      assert.equal(r.status, 0, `${argv0} ${spec}: ${String(r.stderr)}`);
      assert.equal(readFileSync(log, 'utf8'), '', `${argv0} ${spec}`);
    }
    // control: the hook does see a regular expression the bundle runs (explain's container caps)
    writeFileSync(log, '');
    execFileSync(
      process.execPath,
      ['--require', hook, bundle, 'explain', '--format', 'docker', '-c', conf],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    assert.match(readFileSync(log, 'utf8'), /\^cap_/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
