// The bundle as scripts/sea/main.cjs compiles it: one function of (exports, require, module,
// __filename, __dirname), as Node wraps a CommonJS module. Shared by scripts/build.mjs and
// bench/bench.mjs (--profile), so the profiled script is the one the executable runs.
import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Write `cjs` wrapped to `out`. A leading "#!" line becomes a "//" comment of the same length, so
 * line and column numbers stay those of the bundle. The text must be ASCII: main.cjs decodes it as
 * latin1 (esbuild escapes everything else).
 * @param {string} cjs
 * @param {string} out
 * @returns {void}
 */
export function wrapBundle(cjs, out) {
  let text = readFileSync(cjs, 'latin1');
  if (/[^\x00-\x7f]/.test(text))
    throw new Error(`${cjs} is not ASCII: main.cjs decodes it as latin1`);
  if (text.startsWith('#!')) text = `//${text.slice(2)}`;
  writeFileSync(out, `(function (exports, require, module, __filename, __dirname) {${text}\n})`);
}
