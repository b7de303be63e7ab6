// The single executable's main script (built in by scripts/build.mjs; not run from a checkout).
//
// It compiles the program, embedded as the asset `main.js` (the minified bundle of
// cmd/secwrap.ts, wrapped in a CommonJS-style function), with the V8 code cache embedded as
// `main.jscache`, and calls it. The CLI (yargs, cmd/cli.ts) is a second pair of assets, `cli.js`
// and `cli.jscache`, compiled only when the program asks for `./cli.cjs` (help, subcommands,
// usage errors): the exec path never pays for it.
//
// Why not the single executable's own `useCodeCache` for the program: Node makes that cache by
// compiling the script without running it, so it holds the top-level code only, and every
// function the exec path calls was still parsed and compiled at each start (≈ 15 ms of a ≈ 80 ms
// start, measured with bench/). `main.jscache` is made after a training run of the exec path
// (scripts/sea/train.cjs), so it also holds the bytecode of those functions.
//
// Safety: the caches are read from the executable itself, never from a path or the environment
// (vm.Script with cachedData does not consult NODE_COMPILE_CACHE). V8 checks each against its
// version, its flags and the source, and compiles from source if it does not match: a stale
// cache can cost time, never change behaviour.
'use strict';
const { getRawAsset } = require('node:sea');
const { Script } = require('node:vm');

/**
 * @typedef {(exports: object, require: (id: string) => unknown, module: { exports: object },
 *   filename: string, dirname: string) => void} Wrapped  a bundle wrapped by scripts/sea/wrap.mjs
 */

/**
 * The asset's bytes. Assets added from files are binary (an ArrayBuffer); only an asset given
 * as a string would come back as one, and the build adds none.
 * @param {string} key
 * @returns {Buffer}
 */
function asset(key) {
  const raw = getRawAsset(key);
  return typeof raw === 'string' ? Buffer.from(raw, 'latin1') : Buffer.from(raw);
}

/**
 * The function an asset pair holds. Sources are ASCII (the build checks): latin1 is exact.
 * @param {string} name
 * @returns {Wrapped}
 */
function compile(name) {
  const source = asset(`${name}.js`).toString('latin1');
  const cachedData = asset(`${name}.jscache`);
  return new Script(source, { filename: `${name}.cjs`, cachedData }).runInThisContext();
}

/** @type {object | undefined} */
let cli;
/**
 * Node's require inside the executable (built-in modules only), plus the CLI's assets.
 * @param {string} id
 * @returns {unknown}
 */
function requireHere(id) {
  if (id !== './cli.cjs') return require(id);
  if (cli === undefined) {
    /** @type {{ exports: object }} */
    const m = { exports: {} };
    compile('cli')(m.exports, requireHere, m, __filename, __dirname);
    cli = m.exports;
  }
  return cli;
}

compile('main')(module.exports, requireHere, module, __filename, __dirname);
