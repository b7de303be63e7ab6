// @ts-check
// npm run bench, second part: what the worst configs the bounds of src/config/limits.ts still
// accept cost, and what the refused giant costs, against the targets: every accepted input under
// 256 MiB peak and 5 s here (docs/config-language.md states the figures). A benchmark, not a
// test: test/bats/boundary.bats checks that each input is accepted or refused at the right
// bound; the time and memory it takes are measured here.
//
// Inputs (written to a root-owned folder under /run, which the path rule accepts):
//   combo    49,990 scopes with 4 options each, names from a pool of 24,900: near the scope,
//            name and node bounds at once;
//   groups   a security scope with 249,981 supplementary groups (check reads it whole; the run
//            path refuses more than NGROUPS_MAX before any lookup);
//   giant    two million empty scopes (20 MB): refused by the byte bound.
// Each is run with `dist/secwrap check` and with the plain bundle on the machine's Node, through
// bench/runner.c (peak RSS from wait4), 3 rounds after 1 warm-up; the medians are reported.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = join(root, '.cache', 'bench');
const RUNNER = join(CACHE, 'runner');
const EXE = join(root, 'dist', 'secwrap');
const BUNDLE = join(root, 'dist', 'secwrap.cjs');
const TARGET_MIB = 256;
const TARGET_S = 5;

/** @param {string} msg @returns {never} */
function fatal(msg) {
  process.stderr.write(`config-bounds: ${msg}\n`);
  process.exit(1);
}

function runner() {
  if (existsSync(RUNNER)) return RUNNER;
  mkdirSync(CACHE, { recursive: true });
  const r = spawnSync('cc', ['-O2', '-o', RUNNER, join(root, 'bench', 'runner.c')], {
    stdio: 'inherit',
  });
  if (r.status !== 0) fatal('cannot build bench/runner.c (apt-get install gcc)');
  return RUNNER;
}

/** @param {number} n @param {(i: number) => string} line */
function lines(n, line) {
  const out = [];
  for (let i = 1; i <= n; i++) out.push(line(i));
  return out.join('');
}

function inputs() {
  let o = 0;
  const combo = lines(49_990, (s) => {
    let l = `s x${s} {`;
    for (let k = 0; k < 4; k++) {
      o = (o + 1) % 24_900;
      l += ` o${o} = v`;
    }
    return `${l} }\n`;
  });
  const gids = [];
  for (let g = 100_000; g <= 349_980; g++) gids.push(g);
  const groups = `security {\n user = 65534\n group = 65534\n supplemental_groups = (${gids.join(' ')})\n}\n`;
  const giant = lines(2_000_000, (s) => `s${s} {}\n`);
  return { combo, groups, giant };
}

/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

if (process.getuid?.() !== 0)
  fatal('run as root: as root, check applies the path rule, as the run does');
if (!existsSync(EXE)) fatal(`${EXE} is missing: npm run build`);
const dir = mkdtempSync('/run/secwrap-bounds-');
try {
  chmodSync(dir, 0o755);
  const files = Object.entries(inputs()).map(([name, text]) => {
    const f = join(dir, `${name}.conf`);
    writeFileSync(f, text, { mode: 0o644 });
    return { name, file: f, bytes: Buffer.byteLength(text) };
  });
  const nodeBin = execFileSync('sh', ['-c', 'command -v node'], {
    encoding: 'utf8',
    env: { PATH: '/usr/local/bin:/usr/bin:/bin' },
  }).trim();
  /** @type {{ label: string, argv: string[] }[]} */
  const cmds = [];
  for (const f of files) {
    cmds.push({
      label: `secwrap check ${f.name} (${(f.bytes / 1e6).toFixed(1)} MB)`,
      argv: [EXE, 'check', f.file],
    });
    cmds.push({ label: `node bundle check ${f.name}`, argv: [nodeBin, BUNDLE, 'check', f.file] });
  }
  const spec = join(dir, 'spec');
  writeFileSync(spec, cmds.map((c) => `${c.argv.join('\t')}\n`).join(''));
  const r = spawnSync(runner(), ['3', '1', spec], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) fatal(`runner failed: ${r.stderr}`);
  /** @type {Map<number, { wall: number[], rss: number[], status: number[] }>} */
  const by = new Map();
  for (const line of r.stdout.trim().split('\n')) {
    const [i, , wall, rss, , , status] = line.split(' ').map(Number);
    if (i === undefined || wall === undefined || rss === undefined || status === undefined)
      continue;
    const e = by.get(i) ?? { wall: [], rss: [], status: [] };
    e.wall.push(wall / 1e9);
    e.rss.push(rss / 1024);
    e.status.push(status);
    by.set(i, e);
  }
  console.log(
    'config bounds: the worst inputs the bounds accept, and the refused giant (medians of 3)',
  );
  console.log(
    `${'command'.padEnd(44)} ${'exit'.padStart(4)} ${'wall s'.padStart(7)} ${'peak MiB'.padStart(9)}  target`,
  );
  let pass = true;
  cmds.forEach((c, i) => {
    const e = by.get(i);
    if (!e) fatal(`no result for ${c.label}`);
    const s = median(e.wall);
    const mib = median(e.rss);
    const ok = s < TARGET_S && mib < TARGET_MIB;
    pass &&= ok;
    console.log(
      `${c.label.padEnd(44)} ${String(e.status[0]).padStart(4)} ${s.toFixed(2).padStart(7)} ${mib.toFixed(0).padStart(9)}  ${ok ? 'PASS' : 'FAIL'} (< ${TARGET_S} s, < ${TARGET_MIB} MiB)`,
    );
  });
  console.log(`config bounds: ${pass ? 'PASS' : 'FAIL'}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
