// Config parse throughput, bundled by bench/bench.mjs with esbuild into .cache/bench/parse.mjs
// and run by the embedded Node (and the machine's):
//   node parse.mjs DIR BYTES RUNS
// generates DIR with generateBenchConfig(DIR, BYTES) (once), then times loadConfig(main) RUNS
// times in this process (only loadConfig is timed) and prints one JSON line:
//   {"bytes": total bytes of all files loadConfig read, "files": n, "ns": [per run]}
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generateBenchConfig } from './bench-gen.js';
import { loadConfig } from '../src/config/index.js';

const [dir, bytesArg, runsArg] = process.argv.slice(2);
if (!dir || !bytesArg || !runsArg) throw new Error('usage: parse.mjs DIR BYTES RUNS');
const main = generateBenchConfig(dir, Number(bytesArg));

const ns: number[] = [];
let files = 0;
for (let i = 0; i < Number(runsArg); i++) {
  const t0 = process.hrtime.bigint();
  const doc = loadConfig(main);
  const t1 = process.hrtime.bigint();
  ns.push(Number(t1 - t0));
  files = doc.files.length;
}
// The bytes loadConfig read: every file of the generated tree (all are included).
let bytes = 0;
const walk = (d: string): void => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) walk(p);
    else bytes += statSync(p).size;
  }
};
walk(dir);
process.stdout.write(JSON.stringify({ bytes, files, ns }) + '\n');
