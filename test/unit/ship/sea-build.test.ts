/**
 * The single-executable build (scripts/build.mjs) and the development side of src/libc/native.ts.
 * The behaviour of the executable as root (environment, unnamed inode, failure modes) is in
 * test/bats/ship.bats.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { loadFfiBinding, SEA_ADDON_ASSET } from '../../../src/libc/native.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../../..');
const dist = join(root, 'dist/secwrap');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

// Each target's executable: its ELF machine, its own addon (from node_modules for this machine,
// from .cache/cross/ARCH for the other, as scripts/cross/targets.mjs fetched it), stripped.
for (const [arch, machine, addonHome] of [
  ['x64', 62, process.arch === 'x64' ? root : join(root, '.cache/cross/x64')],
  ['arm64', 183, process.arch === 'arm64' ? root : join(root, '.cache/cross/arm64')],
] as const) {
  test(`dist/secwrap-linux-${arch} is an ELF single executable for ${arch} embedding its addon, stripped`, () => {
    const exe = join(root, `dist/secwrap-linux-${arch}`);
    const bin = readFileSync(exe);
    assert.deepEqual([...bin.subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46], 'not an ELF file');
    assert.equal(bin.readUInt16LE(18), machine, 'ELF e_machine');
    assert.ok(bin.includes('NODE_SEA_BLOB'), 'no SEA blob');
    // The addon's bytes are in the blob as they are in the package.
    const addon = readFileSync(
      join(
        addonHome,
        `node_modules/@yuuang/ffi-rs-linux-${arch}-gnu/ffi-rs.linux-${arch}-gnu.node`,
      ),
    );
    assert.ok(bin.includes(addon), `the ${SEA_ADDON_ASSET} asset is not embedded verbatim`);
    // Stripped base: the unstripped Node alone is ~150 MB.
    assert.ok(bin.length < 125e6 && bin.length > 100e6, `unexpected size ${bin.length}`);
    // The checkout's path is not baked in (relative main): the build is location-independent.
    assert.ok(!bin.includes(root), `the checkout path ${root} is inside the executable`);
  });
}

test("dist/secwrap is this machine's executable (a hard link to it)", () => {
  const own = statSync(join(root, `dist/secwrap-linux-${process.arch}`));
  const st = statSync(dist);
  assert.equal(`${st.dev}:${st.ino}`, `${own.dev}:${own.ino}`);
});

test('copied alone into an empty folder with an empty environment, it runs', async () => {
  const d = mkdtempSync(join(tmpdir(), 'secwrap-alone-'));
  try {
    copyFileSync(dist, join(d, 'secwrap'));
    const r = await execa(join(d, 'secwrap'), ['--version'], {
      cwd: d,
      env: {},
      extendEnv: false,
      reject: false,
    });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.stdout, `secwrap ${pkg.version}`);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('the build is reproducible: same bytes from two folders', { timeout: 120_000 }, async () => {
  const a = mkdtempSync(join(tmpdir(), 'secwrap-repro-a-'));
  const b = mkdtempSync(join(tmpdir(), 'secwrap-repro-b-'));
  try {
    const entry = join(root, 'test/unit/ship/fixtures/probe.ts');
    for (const d of [a, b]) {
      await execa(
        'node',
        [join(root, 'scripts/build.mjs'), '--entry', entry, '--out', join(d, 'probe')],
        { cwd: root },
      );
    }
    assert.equal(sha(join(a, 'probe')), sha(join(b, 'probe')));
    // And the build is a working executable: it loads the addon and calls libc through it.
    const r = await execa(join(a, 'probe'), [], { env: {}, extendEnv: false });
    const out = JSON.parse(r.stdout) as { pid: number; nodePid: number; maps: string[] };
    assert.equal(out.pid, out.nodePid);
    assert.ok(
      out.maps.some((l) => / \(deleted\)$/.test(l) && / r-xp /.test(l)),
      out.maps.join('\n'),
    );
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});

test('outside a single executable the addon comes from node_modules and works (this Node)', () => {
  const ffi = loadFfiBinding();
  assert.equal(loadFfiBinding(), ffi, 'loaded once');
  ffi.open({ library: 'libc', path: 'libc.so.6' });
  const pid = ffi.load({
    library: 'libc',
    funcName: 'getpid',
    retType: ffi.DataType.I32,
    paramsType: [],
    paramsValue: [],
    freeResultMemory: false,
  });
  assert.equal(pid, process.pid);
});
