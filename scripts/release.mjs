// @ts-check
// npm run release: the release files, in dist/release/, for each target ARCH (x64, arm64;
// Debian's DEB amd64, arm64; scripts/cross/targets.mjs):
//   secwrap-<v>-linux-ARCH.tar.gz    one folder secwrap-<v>-linux-ARCH/ with bin/secwrap,
//                                    share/man/man1/secwrap.1,
//                                    share/bash-completion/completions/secwrap, LICENSE, README.md
//   secwrap_<v>_DEB.deb              /usr/bin/secwrap, the man page, the completion, the
//                                    copyright; Depends from dpkg-shlibdeps (libc6, libstdc++6,
//                                    libgcc-s1, libatomic1; for another architecture from the
//                                    symbols files of its sysroot's packages, see shlibDepends)
//   secwrap-<v>-linux-ARCH.cdx.json  CycloneDX SBOM of that executable: its embedded Node and the
//                                    Node's libraries, its ffi-rs addon, the npm packages inside
//                                    (scripts/release/sbom.mjs). One per executable: each
//                                    describes one file, whose sha-256 it names
//   SHA256SUMS                       over all six
// The executables are dist/secwrap-linux-ARCH (scripts/build.mjs, --all: a release never leaves
// one out). Each is run once here (`completion`), the foreign one under qemu-user like the build.
//
// Reproducible: two runs, in any folders, give the same bytes. Every timestamp is
// SOURCE_DATE_EPOCH (default: the last commit's time; 0 outside git), owners are 0:0, modes are
// set explicitly, tar entries are sorted, gzip stores no name or time (-n), and dpkg-deb clamps
// its mtimes and ar dates to SOURCE_DATE_EPOCH. dist/secwrap itself is byte-reproducible
// (scripts/build.mjs).
//
//   node scripts/release.mjs [--no-build] [--dist DIR] [--out DIR] [--only tarball|deb|sbom]
//                            [--arch x64,arm64]
//     --no-build   package the executables already in --dist (default: build them first, with
//                  scripts/build.mjs --all, into --dist)
//     --dist DIR   where the build's outputs are (default dist/)
//     --out DIR    where the release files go (default dist/release/)
//     --only X     one kind of artifact and no SHA256SUMS (the Dockerfile takes the tarball only:
//                  its build image has no dpkg-dev)
//     --arch A,B   these targets only (default: every one), and no SHA256SUMS unless all; the
//                  build then makes only these (the Dockerfile builds its TARGETARCH's alone)
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  commandFor,
  exeName,
  readExecutable,
  TARGETS,
  targetsOf,
  toolchain,
} from './cross/targets.mjs';
import { renderManPage, sourceDateEpoch } from './man.mjs';
import { makeSbom } from './release/sbom.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
  options: {
    'no-build': { type: 'boolean' },
    dist: { type: 'string' },
    out: { type: 'string' },
    only: { type: 'string' },
    arch: { type: 'string' },
  },
  strict: true,
});
const ARTIFACTS = ['tarball', 'deb', 'sbom'];
if (opts.only !== undefined && !ARTIFACTS.includes(opts.only))
  throw new Error(`--only ${opts.only}: one of ${ARTIFACTS.join(', ')}`);
const want = (/** @type {string} */ a) => opts.only === undefined || opts.only === a;
const targets = targetsOf(opts.arch);
// SHA256SUMS describes a whole release: every artifact of every target.
const complete = opts.only === undefined && targets.length === Object.keys(TARGETS).length;
const dist = resolve(opts.dist ?? join(root, 'dist'));
const out = resolve(opts.out ?? join(root, 'dist/release'));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const version = String(pkg.version);
const epoch = sourceDateEpoch();
process.env.SOURCE_DATE_EPOCH = String(epoch); // for dpkg-deb, and man.mjs
// The maintainer of the .deb (and the npm package's author).
const MAINTAINER = String(pkg.author);
// Tools run with a fixed locale and environment: no NODE_OPTIONS, no GZIP, no TAR_OPTIONS.
const toolEnv = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  LC_ALL: 'C',
  SOURCE_DATE_EPOCH: String(epoch),
  TZ: 'UTC',
};

const sha256 = (/** @type {string} */ f) =>
  createHash('sha256').update(readFileSync(f)).digest('hex');
const log = (/** @type {string} */ s) => process.stderr.write(`release: ${s}\n`);

/** Run a tool, asynchronously (gzip and dpkg-deb run side by side on the two archives). */
function run(
  /** @type {string} */ cmd,
  /** @type {string[]} */ args,
  /** @type {{ cwd?: string, stdout?: string }} */ o = {},
) {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, {
      cwd: o.cwd,
      env: toolEnv,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    /** @type {Buffer[]} */
    const chunks = [];
    child.stdout.on('data', (c) => chunks.push(c));
    child.on('error', rej);
    child.on('close', (code) => {
      if (code !== 0) return rej(new Error(`${cmd} ${args.join(' ')}: exit ${code}`));
      if (o.stdout) writeFileSync(o.stdout, Buffer.concat(chunks));
      res(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** Write `data` at `file` with `mode` and the release's mtime. */
function put(/** @type {string} */ file, /** @type {string | Buffer} */ data, mode = 0o644) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, data);
  chmodSync(file, mode);
}

/** Every folder 0755, every mtime the epoch (umask and clock of the machine left out). */
function normalise(/** @type {string} */ dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      chmodSync(p, 0o755);
      normalise(p);
    }
    utimesSync(p, epoch, epoch);
  }
  utimesSync(dir, epoch, epoch);
}

// --- the executables ---------------------------------------------------------------------------
if (!opts['no-build']) {
  log(`building into ${relative(root, dist) || '.'}`);
  // --all: a target whose tools are missing stops the release instead of being skipped.
  const archArgs = opts.arch ? ['--arch', targets.map((t) => t.arch).join(',')] : [];
  execFileSync(
    process.execPath,
    [join(root, 'scripts/build.mjs'), '--dist', dist, '--all', ...archArgs],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}

/**
 * What the release needs of one target: its executable (checked to be the single executable for
 * that machine), the toolchain that runs it here, and its bash completion, printed by the
 * executable itself (under qemu-user for another architecture: each file is run once before it
 * is shipped).
 * @param {import('./cross/targets.mjs').Target} t
 */
function loadTarget(t) {
  const exe = join(dist, exeName(t));
  const bytes = readExecutable(exe, t, 'releasing');
  const tc = toolchain(root, t);
  const completion = execFileSync(...commandFor(tc, exe, ['completion']), {
    env: { PATH: '/usr/bin:/bin' },
    encoding: 'utf8',
  });
  if (!completion.includes('complete -o'))
    throw new Error(`${exe} completion printed no bash completion script`);
  return { t, tc, exe, bytes, completion };
}
const loaded = targets.map(loadTarget);
const man = await renderManPage();

const stage = mkdtempSync(join(tmpdir(), 'secwrap-release-'));
try {
  mkdirSync(out, { recursive: true });
  /** The release's file names for target `t`, by artifact. */
  const namesOf = (/** @type {import('./cross/targets.mjs').Target} */ t) => ({
    tarball: `secwrap-${version}-linux-${t.arch}.tar.gz`,
    deb: `secwrap_${version}_${t.deb}.deb`,
    sbom: `secwrap-${version}-linux-${t.arch}.cdx.json`,
  });
  // Only this release's files in the folder SHA256SUMS describes (--only and --arch replace
  // their own files and leave the others).
  const replaced = new Set(
    loaded.flatMap(({ t }) =>
      Object.entries(namesOf(t))
        .filter(([a]) => want(a))
        .map(([, n]) => n),
    ),
  );
  for (const f of readdirSync(out)) {
    if (complete ? /^(secwrap[-_].*|SHA256SUMS)$/.test(f) : replaced.has(f))
      rmSync(join(out, f), { force: true });
  }
  /** @type {Promise<unknown>[]} */
  const jobs = [];
  for (const target of loaded) jobs.push(...artifacts(target, namesOf(target.t)));
  await Promise.all(jobs);

  if (complete) {
    const sums = [...replaced]
      .sort()
      .map((n) => `${sha256(join(out, n))}  ${n}\n`)
      .join('');
    put(join(out, 'SHA256SUMS'), sums);
  }
  for (const f of readdirSync(out).sort()) {
    if (/^(secwrap[-_].*|SHA256SUMS)$/.test(f))
      log(`${join(relative(root, out) || '.', f)}  ${statSync(join(out, f)).size} bytes`);
  }
} finally {
  rmSync(stage, { recursive: true, force: true });
}

/**
 * The artifacts of one target, written to `out` under `names`: the returned promises end when
 * the slow parts (gzip, dpkg-deb) have; the targets' jobs run side by side.
 * @param {ReturnType<typeof loadTarget>} target
 * @param {{ tarball: string, deb: string, sbom: string }} names
 * @returns {Promise<unknown>[]}
 */
function artifacts({ t, tc, exe, bytes, completion }, names) {
  /** @type {Promise<unknown>[]} */
  const jobs = [];
  const st = join(stage, t.arch);

  // --- tarball -----------------------------------------------------------------------------------
  if (want('tarball')) {
    const top = `secwrap-${version}-linux-${t.arch}`;
    const tt = join(st, 'tar', top);
    mkdirSync(join(tt, 'bin'), { recursive: true });
    copyFileSync(exe, join(tt, 'bin/secwrap'));
    chmodSync(join(tt, 'bin/secwrap'), 0o755);
    put(join(tt, 'share/man/man1/secwrap.1'), man);
    put(join(tt, 'share/bash-completion/completions/secwrap'), completion);
    put(join(tt, 'LICENSE'), readFileSync(join(root, 'LICENSE')));
    put(join(tt, 'README.md'), readFileSync(join(root, 'README.md')));
    normalise(join(st, 'tar'));
    const tar = join(st, `${top}.tar`);
    jobs.push(
      run('tar', [
        '--sort=name',
        '--format=gnu',
        '--owner=0',
        '--group=0',
        '--numeric-owner',
        `--mtime=@${epoch}`,
        '-C',
        join(st, 'tar'),
        '-cf',
        tar,
        top,
      ])
        .then(() => run('gzip', ['-9', '-n', tar]))
        .then(() => renameSync(`${tar}.gz`, join(out, names.tarball))),
    );
  }

  // --- .deb ----------------------------------------------------------------------------------------
  if (want('deb')) jobs.push(deb(t, tc, exe, completion, names));

  // --- SBOM ----------------------------------------------------------------------------------------
  if (want('sbom')) {
    // The Node that made the executable is the one whose versions are listed: the target's own
    // pinned Node, run here (under qemu-user for another architecture).
    const nodeVersions = JSON.parse(
      execFileSync(...commandFor(tc, tc.node, ['-p', 'JSON.stringify(process.versions)']), {
        env: toolEnv,
        encoding: 'utf8',
      }),
    );
    if (!bytes.includes(`node/v${nodeVersions.node}`) && !bytes.includes(`v${nodeVersions.node}`)) {
      throw new Error(
        `${exe} does not embed Node ${nodeVersions.node} (node_modules changed since the build?)`,
      );
    }
    const bom = makeSbom({
      root,
      dist,
      version,
      epoch,
      nodeVersions,
      exeSha256: createHash('sha256').update(bytes).digest('hex'),
      target: t,
      nodeDir: dirname(dirname(tc.node)),
      addonDir: dirname(tc.addon),
    });
    put(join(out, names.sbom), `${JSON.stringify(bom, null, 2)}\n`);
  }
  return jobs;
}

/**
 * The .deb of target `t`, staged under the stage's folder for it and built by dpkg-deb.
 * @param {import('./cross/targets.mjs').Target} t
 * @param {import('./cross/targets.mjs').Toolchain} tc
 * @param {string} exe
 * @param {string} completion
 * @param {{ deb: string, sbom: string }} names
 */
async function deb(t, tc, exe, completion, names) {
  const d = join(stage, t.arch, 'deb');
  mkdirSync(join(d, 'usr/bin'), { recursive: true });
  copyFileSync(exe, join(d, 'usr/bin/secwrap'));
  chmodSync(join(d, 'usr/bin/secwrap'), 0o755);
  put(join(d, 'usr/share/man/man1/secwrap.1'), man);
  put(join(d, 'usr/share/bash-completion/completions/secwrap'), completion);
  put(join(d, 'usr/share/doc/secwrap/copyright'), debCopyright(t, names.sbom));
  put(join(d, 'usr/share/doc/secwrap/changelog'), debChangelog());
  // What lintian flags in the embedded Node.js is Node's own official build: its static zlib,
  // the mbedtls that LIEF (single executables) links, and no PIE. It cannot be unbundled
  // without rebuilding Node; the SBOM names the components so scanners still see them.
  put(
    join(d, 'usr/share/lintian/overrides/secwrap'),
    [
      '# Node.js official build, embedded as is: statically linked zlib, and mbedtls through LIEF.',
      'secwrap: embedded-library mbedtls [usr/bin/secwrap]',
      'secwrap: embedded-library zlib [usr/bin/secwrap]',
      '# The official Node.js binary is linked without -pie.',
      'secwrap: hardening-no-pie [usr/bin/secwrap]',
      '',
    ].join('\n'),
  );
  await run('gzip', [
    '-9',
    '-n',
    join(d, 'usr/share/man/man1/secwrap.1'),
    join(d, 'usr/share/doc/secwrap/changelog'),
  ]);
  const depends = await shlibDepends(join(d, 'usr/bin/secwrap'), t, tc);
  let bytes = 0;
  const count = (/** @type {string} */ p) => {
    for (const e of readdirSync(p, { withFileTypes: true })) {
      if (e.isDirectory()) count(join(p, e.name));
      else bytes += statSync(join(p, e.name)).size;
    }
  };
  count(join(d, 'usr'));
  put(
    join(d, 'DEBIAN/control'),
    [
      'Package: secwrap',
      `Version: ${version}`,
      `Architecture: ${t.deb}`,
      `Maintainer: ${MAINTAINER}`,
      `Installed-Size: ${Math.ceil(bytes / 1024)}`,
      `Depends: ${depends}`,
      'Section: admin',
      'Priority: optional',
      'Description: privilege-dropping exec wrapper for ecelerity.conf security scopes',
      ' Run as root, secwrap reads the security scope of a Momentum (ecelerity)',
      ' ecelerity.conf, or flags alone, then chroots, sets the groups, gid and uid,',
      ' limits the capability sets to the ones listed, checks the result and',
      ' execs the command in its own PID.',
      ' .',
      ' It is one executable: Node.js 26 with the program embedded, which ignores',
      ' NODE_OPTIONS and the other NODE_* variables.',
      '',
    ].join('\n'),
  );
  normalise(d);
  const debTmp = join(stage, t.arch, names.deb);
  await run('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', d, debTmp]);
  renameSync(debTmp, join(out, names.deb));
}

/**
 * The Depends line, as dpkg-shlibdeps works it out from the executable's NEEDED libraries and
 * the symbols files of the packages that provide them. For the host's architecture those are
 * the installed packages'. For another one dpkg's database knows none (the host's apt sources
 * and dpkg architectures are never touched): scripts/cross/sysroot.sh keeps each of that
 * architecture's libc6, libgcc-s1, libstdc++6 and libatomic1 as a package build tree with its
 * DEBIAN/shlibs and DEBIAN/symbols (`dpkg-deb -e`), and dpkg-shlibdeps is told to look there
 * (-S; DEB_HOST_ARCH makes it search that architecture's multiarch folders and read the ELF
 * file with its objdump, aarch64-linux-gnu-objdump from binutils-aarch64-linux-gnu). The
 * result is computed the same way as the host's, from the same bookworm packages' symbols:
 * nothing is hard-coded (measured: the same line for amd64 and arm64).
 * @param {string} file
 * @param {import('./cross/targets.mjs').Target} t
 * @param {import('./cross/targets.mjs').Toolchain} tc
 */
async function shlibDepends(file, t, tc) {
  // dpkg-shlibdeps wants a source tree: a throwaway debian/control is enough.
  const src = join(stage, t.arch, 'shlibdeps');
  put(join(src, 'debian/control'), `Source: secwrap\n\nPackage: secwrap\nArchitecture: ${t.deb}\n`);
  /** @type {string[]} */
  const trees = [];
  if (tc.sysroot !== undefined) {
    const debian = join(tc.sysroot, '.debian');
    for (const p of readdirSync(debian).sort()) trees.push(`-S${join(debian, p)}`);
    if (trees.length === 0) throw new Error(`${debian} holds no package build tree`);
  }
  let text;
  try {
    // -e: the file to scan; stderr (advice about libdl and libpthread) is dropped on success.
    text = await new Promise((res, rej) => {
      const c = spawn('dpkg-shlibdeps', ['-O', ...trees, '-e', file], {
        cwd: src,
        env: tc.sysroot === undefined ? toolEnv : { ...toolEnv, DEB_HOST_ARCH: t.deb },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let o = '';
      let e = '';
      c.stdout.on('data', (b) => (o += b));
      c.stderr.on('data', (b) => (e += b));
      c.on('error', rej);
      c.on('close', (code) =>
        code === 0 ? res(o) : rej(new Error(`dpkg-shlibdeps: exit ${code}: ${e}`)),
      );
    });
  } catch (e) {
    throw new Error(
      `${/** @type {Error} */ (e).message}\n(the .deb needs dpkg-shlibdeps: apt-get install dpkg-dev)`,
    );
  }
  const m = /^shlibs:Depends=(.+)$/m.exec(String(text));
  if (!m?.[1]) throw new Error(`dpkg-shlibdeps printed no shlibs:Depends: ${text}`);
  for (const lib of ['libc6', 'libstdc++6', 'libgcc-s1', 'libatomic1']) {
    if (!new RegExp(`(^|, )${lib.replace(/\+/g, '\\+')}( |,|$)`).test(m[1]))
      throw new Error(`Depends lacks ${lib}: ${m[1]}`);
  }
  return m[1];
}

/**
 * usr/share/doc/secwrap/copyright, machine-readable (DEP-5), for target `t` whose SBOM is `sbom`.
 * @param {import('./cross/targets.mjs').Target} t
 * @param {string} sbom
 */
function debCopyright(t, sbom) {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  const v = (/** @type {string} */ n) => lock.packages?.[`node_modules/${n}`]?.version ?? '?';
  const year = new Date(epoch * 1000).getUTCFullYear();
  return `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: secwrap
Comment: /usr/bin/secwrap is a Node.js single executable application. Besides
 secwrap's own code it embeds Node.js ${v(t.node)} (MIT, with the licences of the
 libraries Node.js bundles), the JavaScript of yargs ${v('yargs')} and its dependencies
 (MIT and ISC) and the native addon of ffi-rs ${v('ffi-rs')} (MIT). The release's
 ${sbom} lists every component with its version and licence.

Files: *
Copyright: ${year} secwrap authors
License: Apache-2.0

Files: usr/bin/secwrap
Copyright: ${year} secwrap authors
 Node.js contributors and others
 yargs contributors
 zhangyuang (ffi-rs)
License: Apache-2.0 and MIT and ISC

License: Apache-2.0
 On Debian systems, the complete text of the Apache License, Version 2.0
 can be found in /usr/share/common-licenses/Apache-2.0.

License: MIT
 Permission is hereby granted, free of charge, to any person obtaining a copy
 of this software and associated documentation files (the "Software"), to deal
 in the Software without restriction, including without limitation the rights
 to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
 copies of the Software, and to permit persons to whom the Software is
 furnished to do so, subject to the following conditions:
 .
 The above copyright notice and this permission notice shall be included in
 all copies or substantial portions of the Software.
 .
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
 AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
 OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
 THE SOFTWARE.

License: ISC
 Permission to use, copy, modify, and/or distribute this software for any
 purpose with or without fee is hereby granted, provided that the above
 copyright notice and this permission notice appear in all copies.
 .
 THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
`;
}

/** usr/share/doc/secwrap/changelog (a native package's), dated SOURCE_DATE_EPOCH. */
function debChangelog() {
  const date = new Date(epoch * 1000).toUTCString().replace('GMT', '+0000');
  return `secwrap (${version}) unstable; urgency=medium\n\n  * Release ${version}.\n\n -- ${MAINTAINER}  ${date}\n`;
}
