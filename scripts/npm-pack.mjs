// @ts-check
// npm run package: the npm packages, in dist/npm/, made from staging folders with a package.json
// written here. The repository's own package.json stays the developers' one (private, a
// postinstall that builds with the devDependencies); a user's install builds nothing.
//
//   secwrap-<v>.tgz               `secwrap`: bin/secwrap, a POSIX sh launcher
//                                 (scripts/npm/secwrap.sh) that execs the executable of the
//                                 platform package for the machine (`uname -m`); os/cpu/libc
//                                 restrict it to linux/x64+arm64/glibc, so npm refuses the
//                                 install anywhere else (EBADPLATFORM) instead of installing
//                                 something that cannot run; optionalDependencies names both
//                                 platform packages, and npm installs the one whose os/cpu/libc
//                                 match.
//   secwrap-linux-x64-<v>.tgz     `@secwrap/linux-x64` and `@secwrap/linux-arm64`: bin/secwrap,
//   secwrap-linux-arm64-<v>.tgz   the single executable for that machine (dist/secwrap-linux-ARCH,
//                                 the same bytes as the release tarball's). Both are packed, or
//                                 nothing: a set without one would leave that machine without
//                                 an executable.
// esbuild's pattern: one small package users name, one package per platform holding the binary,
// chosen by npm through os/cpu/libc; no install script anywhere (npm 11 may not run them).
//
//   node scripts/npm-pack.mjs [--dist DIR] [--out DIR]     (default dist/ and dist/npm/)
//   node scripts/npm-pack.mjs --refuse-root                (the repository's prepack)
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { exeName, readExecutable, TARGETS } from './cross/targets.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
  options: {
    dist: { type: 'string' },
    out: { type: 'string' },
    'refuse-root': { type: 'boolean' },
  },
  strict: true,
});
if (opts['refuse-root']) {
  // `npm pack` in the repository would pack the developers' package: dist/secwrap (118 MB)
  // inside, and a postinstall that needs the devDependencies.
  process.stderr.write(
    'secwrap: this package.json is for development; `npm run package` makes the npm packages in dist/npm/\n',
  );
  process.exit(1);
}
const dist = resolve(opts.dist ?? join(root, 'dist'));
const out = resolve(opts.out ?? join(root, 'dist/npm'));
const dev = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const version = String(dev.version);
// One platform package per target; the launcher's `uname -m` cases name the same packages.
const PLATFORMS = Object.values(TARGETS).map((t) => {
  const exe = readExecutable(join(dist, exeName(t)), t, 'packing');
  return {
    dir: `linux-${t.arch}`,
    name: `@secwrap/linux-${t.arch}`,
    machine: t.arch === 'x64' ? 'x64' : 'arm64 (aarch64)',
    cpu: t.arch,
    exe,
  };
});

const stage = join(out, 'stage');
rmSync(stage, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const f of readdirSync(out, { withFileTypes: true }).filter(
  (e) => e.isFile() && e.name.endsWith('.tgz'),
))
  rmSync(join(out, f.name));
const common = { version, license: dev.license, author: dev.author };

/** A staging folder with `files` ({ path: [content, mode] }) and its package.json. */
function stageDir(
  /** @type {string} */ dir,
  /** @type {Record<string, unknown>} */ manifest,
  /** @type {Record<string, [Buffer | string, number]>} */ files,
) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const [p, [data, mode]] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), data);
    chmodSync(join(dir, p), mode);
  }
}

const license = readFileSync(join(root, 'LICENSE'));
for (const p of PLATFORMS)
  stageDir(
    join(stage, p.dir),
    {
      name: p.name,
      ...common,
      description: `The secwrap single executable for Linux ${p.machine} (glibc); installed by the secwrap package`,
      os: ['linux'],
      cpu: [p.cpu],
      libc: ['glibc'],
      files: ['bin/secwrap'],
      preferUnplugged: true,
    },
    {
      'bin/secwrap': [p.exe, 0o755],
      LICENSE: [license, 0o644],
      'README.md': [
        `# ${p.name}\n\nThe \`secwrap\` executable for Linux ${p.machine} (glibc). Install \`secwrap\`, which uses this package.\n`,
        0o644,
      ],
    },
  );
stageDir(
  join(stage, 'secwrap'),
  {
    name: 'secwrap',
    ...common,
    description: dev.description,
    keywords: ['setpriv', 'capabilities', 'privilege-drop', 'chroot', 'ecelerity', 'momentum'],
    bin: { secwrap: 'bin/secwrap' },
    files: ['bin/secwrap'],
    // npm refuses the install on any other platform, so no weaker fallback can exist.
    os: ['linux'],
    cpu: PLATFORMS.map((p) => p.cpu),
    libc: ['glibc'],
    optionalDependencies: Object.fromEntries(PLATFORMS.map((p) => [p.name, version])),
  },
  {
    'bin/secwrap': [readFileSync(join(root, 'scripts/npm/secwrap.sh')), 0o755],
    LICENSE: [license, 0o644],
    'README.md': [readFileSync(join(root, 'README.md')), 0o644],
  },
);

// npm pack with the environment of a plain run: no npm_config_* of the calling npm script.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
for (const d of [...PLATFORMS.map((p) => p.dir), 'secwrap']) {
  const r = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', out], {
    cwd: join(stage, d),
    env,
    encoding: 'utf8',
  });
  const [info] = JSON.parse(r);
  process.stderr.write(
    `npm-pack: ${relative(root, join(out, info.filename))}  ${info.size} bytes (${info.unpackedSize} unpacked, ${info.entryCount} files)\n`,
  );
}
rmSync(stage, { recursive: true, force: true });
