// Runs the readable bundle the way the single executable runs its program (scripts/sea/main.cjs):
// compiled by vm.Script with a code cache trained on the exec path (scripts/sea/train.cjs), so a
// CPU profile of it (bench.mjs --profile) shows what the executable spends, not V8 compiling
// functions the executable never compiles.
//
//   node [--require bench/prof-hook.cjs] bench/cached-run.cjs WRAPPED CACHE BUNDLE [ARG...]
//
// WRAPPED: BUNDLE wrapped as build.mjs wraps it; CACHE: its trained code cache. The script is
// named file://BUNDLE, so profile frames point at the bundle's own lines.
'use strict';
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname } = require('node:path');
const { Script } = require('node:vm');

const [wrapped, cache, bundle, ...args] = process.argv.slice(2);
if (wrapped === undefined || cache === undefined || bundle === undefined) {
  process.stderr.write('usage: node bench/cached-run.cjs WRAPPED CACHE BUNDLE [ARG...]\n');
  process.exit(2);
}
const script = new Script(readFileSync(wrapped, 'latin1'), {
  filename: `file://${bundle}`,
  cachedData: readFileSync(cache),
});
if (script.cachedDataRejected)
  throw new Error(`cached-run: V8 rejected ${cache} (made with other flags or another Node?)`);
process.argv = [
  /** @type {string} */ (process.argv[0]) /* always the node executable */,
  bundle,
  ...args,
];
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
