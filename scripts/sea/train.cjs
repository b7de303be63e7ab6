// The training runs behind the single executable's code caches (see ./main.cjs), run by
// scripts/build.mjs with the pinned Node, each in a child process of its own:
//
//   node --predictable train.cjs SPEC.json [ARGS...]
//
// SPEC: { main, cli?, anchor, save, out }. `main` and `cli` are the wrapped bundles as
// ./main.cjs receives them (assets main.js and cli.js); they are compiled as main.cjs compiles
// them, and `require("./cli.cjs")` is served from `cli` as main.cjs serves it. The program runs as
// `secwrap ARGS...`, with ARGS on this command line, not in SPEC, so that the tail of
// /proc/self/cmdline is the command, as in a real start (src/exec/argv.ts). process.argv[1] =
// anchor, a path in the checkout's dist/, so the addon is found in its node_modules. The V8 code
// cache of script `save` ("main" or "cli") is written to `out` when the run calls execvp (through
// ffi-rs), or else when the process exits: it then holds the bytecode of every function of that
// script the run called up to that point. Saving at execvp keeps the failure path out of the
// exec path's cache: the training's command does not exist (execvp fails with ENOENT, the run
// ends with 127, nothing runs), but a real start succeeds there and never runs that code. `out`
// is opened before the run: the exec path drops privileges.
// With no args, `out` gets the cache of script `save` compiled and not run (the recipe for
// `build.mjs --entry` programs, which have no training run).
//
// --predictable (single-threaded, fixed seeds) makes the bytes reproducible, as for the SEA
// blob; it is not part of the flag hash V8 checks, so the executable accepts the caches.
'use strict';
const { closeSync, constants, openSync, readFileSync, writeSync } = require('node:fs');
const { dirname } = require('node:path');
const { Script } = require('node:vm');

/**
 * SPEC.json (see the header). `cli` is absent for programs without a CLI apart.
 * @typedef {object} Spec
 * @property {string} main
 * @property {string} [cli]
 * @property {string} anchor
 * @property {Asset} save
 * @property {string} out
 */
/** @typedef {'main' | 'cli'} Asset */
/**
 * ffi-rs's addon module as process.dlopen fills it: only `load` is used here.
 * @typedef {{ exports: { load: (this: unknown, params: { funcName?: unknown } | undefined) => unknown } }} AddonModule
 */

const specFile = process.argv[2];
if (specFile === undefined) {
  process.stderr.write('usage: node --predictable train.cjs SPEC.json [ARGS...]\n');
  process.exit(2);
}
const spec = /** @type {Spec} */ (JSON.parse(readFileSync(specFile, 'utf8')));
/** @param {Asset} asset */
const compile = (asset) => {
  const file = spec[asset];
  if (file === undefined) throw new Error(`train.cjs: SPEC has no ${asset}`);
  return new Script(readFileSync(file, 'latin1'), { filename: `${asset}.cjs` });
};

/** @type {{ main: Script, cli?: Script }} */
const scripts = { main: compile('main') };
// Node defines no fs.constants.O_CLOEXEC (undefined in Node 20 and in the pinned Node 26): the
// last term is 0 (as `| undefined` was) and `out` is not close-on-exec.
const O_CLOEXEC = /** @type {{ O_CLOEXEC?: number }} */ (constants).O_CLOEXEC ?? 0;
const fd = openSync(
  spec.out,
  constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | O_CLOEXEC,
  0o644,
);
let saved = false;
const save = () => {
  if (saved) return;
  saved = true;
  const s = scripts[spec.save];
  if (!s) throw new Error(`train.cjs: the run never loaded ${spec.save}`);
  const data = s.createCachedData();
  for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
  closeSync(fd);
};

/** @type {unknown} */
let cli;
/**
 * @param {string} id
 * @returns {unknown}
 */
function requireHere(id) {
  if (id !== './cli.cjs' || !spec.cli) return require(id);
  if (cli === undefined) {
    scripts.cli = compile('cli');
    /** @type {{ exports: unknown }} */
    const m = { exports: {} };
    scripts.cli.runInThisContext()(m.exports, requireHere, m, spec.anchor, dirname(spec.anchor));
    cli = m.exports;
  }
  return cli;
}

const args = process.argv.slice(3);
if (args.length === 0) {
  scripts[spec.save] ??= compile(spec.save);
  save();
} else {
  process.on('exit', save);
  // ffi-rs's addon is loaded with process.dlopen (src/libc/native.ts): wrap its `load`, the one
  // entry every libc call goes through, to save right before execvp.
  const dlopen = process.dlopen;
  process.dlopen = function (mod, ...rest) {
    const r = dlopen.call(this, mod, ...rest);
    const addon = /** @type {AddonModule} */ (mod);
    const load = addon.exports.load;
    addon.exports.load = function (params) {
      if (params && params.funcName === 'execvp') save();
      return load.call(this, params);
    };
    return r;
  };
  process.argv = [
    /** @type {string} */ (process.argv[0]) /* always the node executable */,
    spec.anchor,
    ...args,
  ];
  scripts.main.runInThisContext()(
    module.exports,
    requireHere,
    module,
    spec.anchor,
    dirname(spec.anchor),
  );
}
