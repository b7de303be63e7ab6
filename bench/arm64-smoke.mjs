// @ts-check
// `npm run bench`, last part: the arm64 executable (dist/secwrap-linux-arm64) under qemu-user on
// this machine, for a smoke figure: it starts, takes the exec path, and how long that takes
// emulated. No ratio and no target: qemu-user translates every arm64 instruction, so these
// timings say nothing about arm64 hardware (the x64 figures of bench.mjs stay the reference).
//
//   node bench/arm64-smoke.mjs [--runs N]        (default 10 of each)
//
// The exec path is the bench's request (nobody, nogroup, cap_net_bind_service, then /bin/true);
// as root it really drops, as in bench.mjs. Exits 1 if a run fails: a smoke test that cannot run
// is reported, not skipped.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeRequest } from '../scripts/sea/request.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const EXE = join(ROOT, 'dist/secwrap-linux-arm64');
const QEMU = 'qemu-aarch64-static';
const { values: opts } = parseArgs({ options: { runs: { type: 'string' } }, strict: true });
const runs = Number(opts.runs ?? 10);

/** @param {string} msg */
function fatal(msg) {
  process.stderr.write(`arm64-smoke: ${msg}\n`);
  process.exit(1);
}
if (!existsSync(EXE)) fatal(`${EXE} is missing: node scripts/build.mjs --all`);
if (spawnSync('sh', ['-c', `command -v ${QEMU}`], { stdio: 'ignore' }).status !== 0)
  fatal(`${QEMU} is missing (Debian: qemu-user-static)`);
const sysroot = execFileSync('bash', [join(ROOT, 'scripts/cross/sysroot.sh'), 'arm64'], {
  encoding: 'utf8',
}).trim();

// As root the config must sit in root-owned folders (the trust rule), as for the build's training.
const { dir, conf } = writeRequest('secwrap-arm64-bench-');

/** Median wall time in ms of `runs` runs of the arm64 executable with `args`. */
function measure(/** @type {string[]} */ args) {
  /** @type {number[]} */
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(QEMU, ['-L', sysroot, EXE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 0)
      fatal(`secwrap-linux-arm64 ${args.join(' ')} exited ${r.status}: ${String(r.stderr).trim()}`);
  }
  ms.sort((a, b) => a - b);
  return ms[Math.floor(ms.length / 2)] ?? Number.NaN;
}

try {
  const version = measure(['--version']);
  const exec = measure(['-c', conf, '--', '/bin/true']);
  console.log(
    `arm64 under ${QEMU} (emulated; smoke figure, no ratio), median of ${runs}: ` +
      `--version ${version.toFixed(0)} ms, exec path ${exec.toFixed(0)} ms` +
      `${process.getuid?.() === 0 ? ' (as root: a real drop)' : ' (unprivileged: no drop)'}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
