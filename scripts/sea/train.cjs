// The training runs behind the single executable's code caches (see ./main.cjs), run by
// scripts/build.mjs with the pinned Node, each in a child process of its own:
//
//   node --predictable train.cjs SPEC.json
//
// SPEC: { main, cli?, anchor, save, out, args }. `main` and `cli` are the wrapped bundles as
// ./main.cjs receives them (assets main.js and cli.js); they are compiled as main.cjs compiles
// them, and `require("./cli.cjs")` is served from `cli` as main.cjs serves it. The program runs as
// `secwrap ARGS...` (process.argv[1] = anchor, a path in the checkout's dist/, so the addon is
// found in its node_modules), and when the process exits the V8 code cache of script `save`
// ("main" or "cli") is written to `out`: it then holds the bytecode of every function of that
// script the run called. `out` is opened before the run: the exec path drops privileges.
// With no args, `out` gets the cache of script `save` compiled and not run (the recipe for
// `build.mjs --entry` programs, which have no training run).
//
// --predictable (single-threaded, fixed seeds) makes the bytes reproducible, as for the SEA
// blob; it is not part of the flag hash V8 checks, so the executable accepts the caches.
'use strict';
const { closeSync, constants, openSync, readFileSync, writeSync } = require('node:fs');
const { dirname } = require('node:path');
const { Script } = require('node:vm');

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const compile = (asset) => new Script(readFileSync(spec[asset], 'latin1'), { filename: `${asset}.cjs` });

const scripts = { main: compile('main') };
const fd = openSync(spec.out, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_CLOEXEC, 0o644);
const save = () => {
  const s = scripts[spec.save];
  if (!s) throw new Error(`train.cjs: the run never loaded ${spec.save}`);
  const data = s.createCachedData();
  for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
  closeSync(fd);
};

let cli;
function requireHere(id) {
  if (id !== './cli.cjs' || !spec.cli) return require(id);
  if (cli === undefined) {
    scripts.cli = compile('cli');
    const m = { exports: {} };
    scripts.cli.runInThisContext()(m.exports, requireHere, m, spec.anchor, dirname(spec.anchor));
    cli = m.exports;
  }
  return cli;
}

if (spec.args.length === 0) {
  scripts[spec.save] ??= compile(spec.save);
  save();
} else {
  process.on('exit', save);
  process.argv = [process.argv[0], spec.anchor, ...spec.args];
  scripts.main.runInThisContext()(module.exports, requireHere, module, spec.anchor, dirname(spec.anchor));
}
