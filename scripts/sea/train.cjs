// The training run behind the single executable's code cache (see ./main.cjs), run by
// scripts/build.mjs with the pinned Node, in a child process of its own:
//
//   node --predictable train.cjs WRAPPED FILENAME BUNDLE OUT [ARG...]
//
// compiles WRAPPED (a bundle as ./main.cjs receives it) as main.cjs does (as FILENAME), runs it as
// `secwrap ARG...` (process.argv[1] = BUNDLE, so the addon is found in node_modules), and when
// the process exits writes the script's V8 code cache to OUT: by then it holds the bytecode of
// every function the run called. OUT is opened before the run: the exec path drops privileges.
// Without ARG, OUT gets the cache of the compiled script without running it (the recipe for
// `build.mjs --entry`, whose programs have no training run).
//
// --predictable (single-threaded, fixed seeds) makes the bytes reproducible, as for the SEA
// blob; it is not part of the flag hash V8 checks, so the executable accepts the cache.
'use strict';
const { closeSync, constants, openSync, readFileSync, writeSync } = require('node:fs');
const { dirname } = require('node:path');
const { Script } = require('node:vm');

const [wrapped, filename, bundle, out, ...args] = process.argv.slice(2);
if (!wrapped || !filename || !bundle || !out) throw new Error('usage: train.cjs WRAPPED FILENAME BUNDLE OUT [ARG...]');

const script = new Script(readFileSync(wrapped, 'latin1'), { filename });
const fd = openSync(out, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_CLOEXEC, 0o644);
const save = () => {
  const data = script.createCachedData();
  for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
  closeSync(fd);
};
if (args.length === 0) {
  save();
} else {
  process.on('exit', save);
  process.argv = [process.argv[0], bundle, ...args];
  script.runInThisContext()(module.exports, require, module, bundle, dirname(bundle));
}
