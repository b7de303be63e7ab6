// `npm run bench` (= node bench/bench.mjs): start-up cost of secwrap, side by side (issue #8).
//
//   node bench/bench.mjs [--rounds N] [--warmup N] [--budget SECONDS] [--build]
//   node bench/bench.mjs --profile [--profile-runs N]      (= bash bench/profile.sh)
//
// Benchmark mode prints one table: wall time and peak memory (max RSS) of each command, median
// and p10-p90, measured interleaved (A B C ... A B C ..., rotating the start each round) after
// warm-up rounds; then the targets of #8 with PASS/MISS (informational: this is not a test, it
// exits 0 unless something cannot run) and the config parse throughput.
//
// Rounds: as many as fit --budget (default 150 s), 40 to 150. With 50 rounds, two runs in a row on
// this 2-core VM gave ratios of 1.16 and 1.09 (p10-p90 of single runs spans ±20%): the median
// was not stable enough for a ±0.05 question. 150 rounds divide its spread by about 1.7.
//
// Measuring: bench/runner.c, compiled here with `cc` into .cache/bench/runner. It does
// clock_gettime(CLOCK_MONOTONIC) → fork → execve → wait4 → clock_gettime, and takes the peak RSS
// (ru_maxrss, kept by Linux across execve, so the exec path's Node phase counts) and CPU time
// from wait4's rusage. Chosen over GNU time (10 ms resolution, one more fork+exec per run) and
// over Node's spawnSync (times pipes and libuv along with the command).
//
// Profile mode: see profile() below, bench/prof-hook.cjs and bench/cached-run.cjs.
//
// Artifacts go to .cache/bench/ (git-ignored): runner, hello (+ hello.cjs), parse.mjs, prof/.
// dist/secwrap is measured as it is (a warning is printed if it is older than its sources);
// --build rebuilds it first with `node scripts/build.mjs`.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { wrapBundle } from '../scripts/sea/wrap.mjs';
import { SEA_EXEC_ARGV } from '../scripts/sea/exec-argv.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BENCH = join(ROOT, 'bench');
const CACHE = join(ROOT, '.cache', 'bench');
const PINNED = join(ROOT, `node_modules/node-linux-${process.arch}/bin/node`);
const SECWRAP = join(ROOT, 'dist/secwrap');
const BUNDLE = join(ROOT, 'dist/secwrap.cjs');
const HELLO = join(CACHE, 'hello');
const RUNNER = join(CACHE, 'runner');

const { values: opt } = parseArgs({
  options: {
    rounds: { type: 'string' },
    warmup: { type: 'string', default: '3' },
    budget: { type: 'string', default: '150' },
    build: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    'profile-runs': { type: 'string', default: '15' },
    'parse-runs': { type: 'string', default: '20' },
  },
  strict: true,
});

/**
 * @param {string} msg
 * @returns {never}
 */
function fatal(msg) {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(1);
}
const log = /** @param {string} s */ (s) => process.stderr.write(`bench: ${s}\n`);

// ---------------------------------------------------------------------------------------------
// Small helpers

/**
 * @param {string} name
 * @returns {string | undefined}
 */
function which(name) {
  for (const d of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    const p = join(d, name);
    try {
      if (statSync(p).isFile()) return p;
    } catch {}
  }
  return undefined;
}

/** @param {string} p */
function mtime(p) {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return -1;
  }
}

/** @param {string[]} paths */
function newest(paths) {
  /** @type {{ path: string | undefined, t: number }} */
  let best = { path: undefined, t: -1 };
  /** @param {string} p */
  const visit = (p) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) for (const e of readdirSync(p)) visit(join(p, e));
    else if (st.mtimeMs > best.t) best = { path: p, t: st.mtimeMs };
  };
  paths.forEach(visit);
  return best;
}

/**
 * @param {number[]} sorted
 * @param {number} q
 */
function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  // 0 <= lo <= hi <= length - 1: both are elements
  const a = /** @type {number} */ (sorted[lo]);
  const b = /** @type {number} */ (sorted[hi]);
  return a + (b - a) * (pos - lo);
}
/**
 * @typedef {object} Stats
 * @property {number} n
 * @property {number} med
 * @property {number} p10
 * @property {number} p90
 * @property {number | undefined} min  undefined when there are no values
 * @property {number | undefined} max
 */
/**
 * @param {number[]} values
 * @returns {Stats}
 */
function stats(values) {
  const s = [...values].sort((a, b) => a - b);
  return {
    n: s.length,
    med: quantile(s, 0.5),
    p10: quantile(s, 0.1),
    p90: quantile(s, 0.9),
    min: s[0],
    max: s[s.length - 1],
  };
}

/** @param {string} bin */
function version(bin) {
  try {
    return execFileSync(bin, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '?';
  }
}

/** The machine's `node`: first on PATH outside this checkout (npm run puts node_modules/.bin,
 *  where node-linux-ARCH installs the pinned node, first on PATH). */
function machineNode() {
  for (const d of (process.env.PATH ?? '/usr/bin:/bin').split(delimiter)) {
    if (!d || resolve(d).startsWith(ROOT + '/') || resolve(d) === ROOT) continue;
    const p = join(d, 'node');
    try {
      if (statSync(p).isFile()) return p;
    } catch {}
  }
  return process.execPath;
}

function machineInfo() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? '?';
  const mhz = /^cpu MHz\s*:\s*(.*)$/m.exec(cpuinfo)?.[1];
  let os_ = '';
  try {
    os_ = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? '';
  } catch {}
  return {
    cpu: `${model}${mhz ? ` @ ${Math.round(Number(mhz))} MHz` : ''}`,
    cores: os.availableParallelism?.() ?? os.cpus().length,
    mem: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    kernel: `${os.type()} ${os.release()}`,
    os: os_,
    embedded: version(PINNED),
    machineNode: `${version(machineNode())} (${machineNode()})`,
  };
}

// ---------------------------------------------------------------------------------------------
// Builds (only what bench/ owns, into .cache/bench; dist/ only with --build)

function buildRunner() {
  const src = join(BENCH, 'runner.c');
  if (mtime(RUNNER) > mtime(src)) return;
  const cc = which('cc') ?? which('gcc') ?? which('clang');
  if (!cc) fatal('no C compiler (cc) to build bench/runner.c: apt-get install gcc');
  mkdirSync(CACHE, { recursive: true });
  execFileSync(cc, ['-O2', '-Wall', '-o', RUNNER, src], { stdio: 'inherit' });
}

function buildHello() {
  const inputs = [join(BENCH, 'hello.ts'), join(ROOT, 'scripts/build.mjs'), PINNED];
  if (existsSync(HELLO) && inputs.every((p) => mtime(p) < mtime(HELLO))) return;
  log(
    'building the hello-world floor: node scripts/build.mjs --entry bench/hello.ts --out .cache/bench/hello',
  );
  execFileSync(
    process.execPath,
    [join(ROOT, 'scripts/build.mjs'), '--entry', join(BENCH, 'hello.ts'), '--out', HELLO],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
}

async function buildParse() {
  const { build } = await import('esbuild');
  const out = join(CACHE, 'parse.mjs');
  await build({
    entryPoints: [join(BENCH, 'parse.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  });
  return out;
}

function checkDist() {
  if (opt.build) {
    log('rebuilding dist/ (node scripts/build.mjs)');
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], {
      cwd: ROOT,
      stdio: 'inherit',
    });
  }
  if (!existsSync(SECWRAP))
    fatal('dist/secwrap is missing: run `node scripts/build.mjs` (or npm run bench -- --build)');
  const notes = [];
  const src = newest(['cmd', 'src', 'scripts/build.mjs', 'package.json'].map((p) => join(ROOT, p)));
  if (src.t > mtime(SECWRAP)) {
    // src.t > -1: a file was found, so src.path is set
    notes.push(
      `dist/secwrap is older than ${relative(ROOT, /** @type {string} */ (src.path))}: measuring a stale build (npm run bench -- --build)`,
    );
  }
  return notes;
}

// ---------------------------------------------------------------------------------------------
// The request: user nobody, group nogroup, one retained capability

function makeConf() {
  // root 0700 under root's 0755 /run: as root, secwrap refuses a config under /tmp (mode 1777)
  const dir = mkdtempSync(join('/run', 'secwrap-bench-'));
  const conf = join(dir, 'ecelerity.conf');
  writeFileSync(
    conf,
    [
      '# secwrap benchmark (bench/bench.mjs)',
      'security {',
      '  user = nobody',
      '  group = nogroup',
      '  capabilities = "cap_net_bind_service+ep"',
      '}',
      '',
    ].join('\n'),
  );
  chmodSync(conf, 0o644);
  return { dir, conf };
}

/** @param {string} keep */
function allCapsBut(keep) {
  const last = Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8'));
  const mask = (1n << BigInt(last + 1)) - 1n;
  const capsh = which('capsh');
  if (!capsh) fatal('capsh not found on PATH');
  const names = execFileSync(capsh, [`--decode=0x${mask.toString(16)}`], { encoding: 'utf8' })
    .trim()
    .replace(/^.*=/, '')
    .split(',');
  return names.filter((n) => n !== keep).join(',');
}

/** @typedef {[string, ...string[]]} Argv  a command line: the program, then its arguments */
/**
 * A command to measure. verify() sets `broken` (it cannot run or its target did not get the
 * request) and `verified` (what the target got).
 * @typedef {object} Command
 * @property {string} key
 * @property {string} label
 * @property {(target: Argv) => Argv} argv  the command line, running `target` where it runs one
 * @property {boolean} [drop]
 * @property {boolean} [caps]
 * @property {boolean} [base]
 * @property {string} [broken]
 * @property {string} [verified]
 */

/**
 * Commands to measure. `drop` = runs the request; its target can be swapped for verification.
 * @param {string} conf
 * @returns {Command[]}
 */
function commands(conf) {
  const mnode = machineNode();
  /** @type {Command[]} */
  const list = [
    {
      key: 'exec',
      label: 'secwrap -c CONF -- /bin/true',
      argv: (t) => [SECWRAP, '-c', conf, '--', ...t],
      drop: true,
      caps: true,
    },
    { key: 'check', label: 'secwrap check CONF', argv: () => [SECWRAP, 'check', conf] },
    {
      key: 'explain',
      label: 'secwrap explain -c CONF',
      argv: () => [SECWRAP, 'explain', '-c', conf],
    },
    { key: 'version', label: 'secwrap --version', argv: () => [SECWRAP, '--version'] },
    {
      key: 'bundle',
      label: 'node26 dist/secwrap.cjs -c CONF -- /bin/true',
      argv: (t) => [PINNED, BUNDLE, '-c', conf, '--', ...t],
      drop: true,
      caps: true,
    },
    { key: 'hello', label: 'hello-world SEA (floor)', argv: () => [HELLO] },
    {
      key: 'node',
      label: `embedded node -e 0 (${version(PINNED)})`,
      argv: () => [PINNED, '-e', '0'],
    },
    // Node's own start with the executable's options (scripts/sea/exec-argv.mjs): what of the
    // ratio comes from those options rather than from secwrap's code.
    {
      key: 'nodeopts',
      label: "embedded node -e 0, executable's options",
      argv: () => [PINNED, ...SEA_EXEC_ARGV, '-e', '0'],
    },
    {
      key: 'mnode',
      label: `machine node -e 0 (${version(mnode)})`,
      argv: () => [mnode, '-e', '0'],
    },
  ];
  const setpriv = which('setpriv');
  if (setpriv) {
    list.push({
      key: 'setpriv',
      label: 'setpriv (same request)',
      argv: (t) => [
        setpriv,
        '--reuid',
        'nobody',
        '--regid',
        'nogroup',
        '--init-groups',
        '--inh-caps=-all,+net_bind_service',
        '--ambient-caps=-all,+net_bind_service',
        '--bounding-set=-all,+net_bind_service',
        ...t,
      ],
      drop: true,
      caps: true,
    });
  }
  const capsh = which('capsh');
  if (capsh) {
    // capsh applies its options left to right: shrink the bounding set while root (--drop needs
    // CAP_SETPCAP), --user (initgroups + setgid + setuid through libcap, which keeps permitted),
    // then e/i/p and ambient; --shell=PROG -- ARGS execs PROG directly (no bash in between).
    const drop = allCapsBut('cap_net_bind_service');
    list.push({
      key: 'capsh',
      label: 'capsh (same request)',
      argv: (t) => [
        capsh,
        `--drop=${drop}`,
        '--user=nobody',
        '--caps=cap_net_bind_service+eip',
        '--addamb=cap_net_bind_service',
        `--shell=${t[0]}`,
        '--',
        ...t.slice(1),
      ],
      drop: true,
      caps: true,
    });
  }
  const gosu = which('gosu');
  if (gosu) {
    list.push({
      key: 'gosu',
      label: 'gosu nobody:nogroup (no caps)',
      argv: (t) => [gosu, 'nobody:nogroup', ...t],
      drop: true,
      caps: false,
    });
  }
  list.push({ key: 'true', label: '/bin/true', argv: (t) => t, drop: false, base: true });
  return list;
}

/** @type {Argv} */
const PROBE = [
  '/bin/sh',
  '-c',
  'id -u; id -g; id -G; grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb)" /proc/self/status',
];

function expected() {
  const uid = execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim();
  const gid = execFileSync('getent', ['group', 'nogroup'], { encoding: 'utf8' }).split(':')[2];
  return { uid, gid };
}

/**
 * Runs each command once; for the drop tools also checks what the target really got.
 * @param {Command[]} list
 */
function verify(list) {
  const exp = expected();
  for (const c of list) {
    const argv = c.argv(['/bin/true']);
    const r = spawnSync(argv[0], argv.slice(1), {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (r.status !== 0) {
      c.broken = `exit ${r.status ?? r.signal}: ${(r.stderr || r.stdout || r.error?.message || '').split('\n')[0]}`;
      continue;
    }
    if (!c.drop) continue;
    const p = c.argv(PROBE);
    const v = spawnSync(p[0], p.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = (v.stdout ?? '').trim().split('\n');
    const caps = Object.fromEntries(
      lines
        .filter((l) => l.startsWith('Cap'))
        .map((l) => [l.slice(3, 6), BigInt(`0x${l.split(/\s+/)[1]}`).toString(16)]),
    );
    const want = c.caps ? '400' : '0';
    const capsOk = c.caps
      ? ['Inh', 'Prm', 'Eff', 'Amb', 'Bnd'].every((k) => caps[k] === want)
      : ['Prm', 'Eff', 'Amb'].every((k) => caps[k] === '0');
    const idOk = lines[0] === exp.uid && lines[1] === exp.gid && lines[2] === exp.gid;
    c.verified = `uid=${lines[0]} gid=${lines[1]} groups=${lines[2]} CapInh/Prm/Eff/Bnd/Amb=${['Inh', 'Prm', 'Eff', 'Bnd', 'Amb'].map((k) => caps[k]).join('/')}`;
    if (!(v.status === 0 && idOk && capsOk))
      c.broken = `target did not get the request: ${c.verified} (exit ${v.status})`;
  }
}

// ---------------------------------------------------------------------------------------------
// Measuring

/**
 * One measured run: command `idx` of the list in round `round`.
 * @typedef {{ idx: number, round: number, ms: number, mib: number, cpu: number, status: number }} Row
 */
/**
 * @param {Command[]} list
 * @param {number} rounds
 * @param {number} warmup
 * @returns {Row[]}
 */
function runRounds(list, rounds, warmup, evict = false) {
  const spec = join(CACHE, 'spec.tsv');
  writeFileSync(spec, list.map((c) => c.argv(['/bin/true']).join('\t')).join('\n') + '\n');
  const r = spawnSync(RUNNER, [String(rounds), String(warmup), spec, ...(evict ? ['evict'] : [])], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) fatal(`runner failed: ${r.stderr}`);
  const rows = r.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    // runner.c prints 7 numbers a line: index, round, ns, max RSS KiB, user us, sys us, status
    .map(
      (l) =>
        /** @type {[number, number, number, number, number, number, number]} */ (
          l.split(' ').map(Number)
        ),
    );
  return rows.map(([idx, round, ns, rssKiB, ut, st, status]) => ({
    idx,
    round,
    ms: ns / 1e6,
    mib: rssKiB / 1024,
    cpu: (ut + st) / 1000,
    status,
  }));
}

/**
 * @typedef {object} ParseStats
 * @property {number} bytes
 * @property {number} files
 * @property {number | undefined} cold  MB/s of the first run (undefined with no runs)
 * @property {Stats} warm  MB/s of the others
 * @property {Stats} msWarm
 */
/**
 * @param {string} parseMjs
 * @param {string} node
 * @param {string} dir
 * @returns {ParseStats | { error: string }}
 */
function parseBench(parseMjs, node, dir) {
  rmSync(dir, { recursive: true, force: true });
  const r = spawnSync(node, [parseMjs, dir, String(5_000_000), opt['parse-runs']], {
    encoding: 'utf8',
    maxBuffer: 16 << 20,
  });
  if (r.status !== 0) return { error: (r.stderr || '').split('\n').slice(0, 3).join(' ') };
  // bench/parse.ts prints one JSON line, last (split always gives at least one element)
  const last = /** @type {string} */ (r.stdout.trim().split('\n').pop());
  const res = /** @type {{ bytes: number, files: number, ns: number[] }} */ (JSON.parse(last));
  const mbs = res.ns.map((ns) => res.bytes / 1e6 / (ns / 1e9));
  return {
    bytes: res.bytes,
    files: res.files,
    cold: mbs[0],
    warm: stats(mbs.slice(1)),
    msWarm: stats(res.ns.slice(1).map((n) => n / 1e6)),
  };
}

// Number.isFinite(x) is false for undefined: x is a number where toFixed is called.
const f1 = /** @param {number | undefined} x */ (x) =>
  Number.isFinite(x) ? /** @type {number} */ (x).toFixed(1) : '-';
const f2 = /** @param {number | undefined} x */ (x) =>
  Number.isFinite(x) ? /** @type {number} */ (x).toFixed(2) : '-';
const pad = /** @param {string | number} s @param {number} n */ (s, n) => String(s).padEnd(n);
const lpad = /** @param {string | number} s @param {number} n */ (s, n) => String(s).padStart(n);

async function bench() {
  if (process.platform !== 'linux') fatal('Linux only');
  if (process.geteuid?.() !== 0)
    fatal('run as root (the exec path drops root; setpriv/capsh need it too)');
  if (!existsSync(PINNED))
    fatal(`${PINNED} missing (optionalDependency node-linux-${process.arch}): npm install`);
  const notes = checkDist();
  mkdirSync(CACHE, { recursive: true });
  buildRunner();
  buildHello();
  const parseMjs = await buildParse();

  const m = machineInfo();
  const load0 = os.loadavg();
  const { dir, conf } = makeConf();
  try {
    const all = commands(conf);
    verify(all);
    for (const c of all.filter((c) => c.broken)) notes.push(`NOT MEASURED ${c.label}: ${c.broken}`);
    // commands() always lists exec and node
    const byKey = /** @param {string} k */ (k) =>
      /** @type {Command} */ (all.find((c) => c.key === k));
    if (byKey('exec').broken || byKey('node').broken) {
      for (const n of notes) log(n);
      fatal('the secwrap exec path or the embedded node cannot run');
    }
    const list = all.filter((c) => !c.broken);

    // Warm-up rounds (also size the run to the time budget).
    const warm = Math.max(1, Number(opt.warmup));
    const t0 = performance.now();
    runRounds(list, warm, 0, true); // evicts each executable's cached pages first (runner.c)
    const perRound = (performance.now() - t0) / warm / 1000;
    const rounds = opt.rounds
      ? Number(opt.rounds)
      : Math.max(40, Math.min(150, Math.floor(Number(opt.budget) / perRound)));
    log(
      `${list.length} commands, ${warm} warm-up rounds (${perRound.toFixed(2)} s/round), measuring ${rounds} rounds interleaved...`,
    );
    const t1 = performance.now();
    const rows = runRounds(list, rounds, 0);
    const measureS = (performance.now() - t1) / 1000;
    log('config parse throughput...');
    const parse26 = parseBench(parseMjs, PINNED, join(dir, 'parse'));
    const parse20 = parseBench(parseMjs, machineNode(), join(dir, 'parse'));
    const load1 = os.loadavg();

    const by = new Map(list.map((c, i) => [c.key, { c, rows: rows.filter((r) => r.idx === i) }]));
    /** @typedef {{ wall: Stats, rss: Stats, cpu: Stats, bad: number }} CmdStats */
    /** @type {Record<string, CmdStats>} */
    const S = {};
    // The measurements of a command the report cannot do without (only unbroken ones were measured).
    const need = /** @param {string} k @returns {CmdStats} */ (k) =>
      S[k] ?? fatal(`${k} was not measured: ${all.find((c) => c.key === k)?.broken ?? '?'}`);
    for (const [k, { rows: rs }] of by) {
      S[k] = {
        wall: stats(rs.map((r) => r.ms)),
        rss: stats(rs.map((r) => r.mib)),
        cpu: stats(rs.map((r) => r.cpu)),
        bad: rs.filter((r) => r.status !== 0).length,
      };
    }

    // ---- print
    const o = [];
    o.push('secwrap start-up benchmark (issue #8)');
    o.push(`machine: ${m.cpu}, ${m.cores} cores, ${m.mem}; ${m.kernel}; ${m.os}`);
    o.push(
      `node: embedded ${m.embedded} (node_modules/node-linux-${process.arch}, the one dist/secwrap is built on); machine ${m.machineNode}`,
    );
    o.push(
      `secwrap: ${relative(ROOT, SECWRAP)} ${version(SECWRAP)}, ${(statSync(SECWRAP).size / 2 ** 20).toFixed(0)} MiB, built ${new Date(mtime(SECWRAP)).toISOString()}`,
    );
    o.push(
      `load average: ${load0.map(f2).join(' ')} at start, ${load1.map(f2).join(' ')} at end (other work on the machine widens the spread)`,
    );
    o.push(
      `method: ${rounds} rounds x ${list.length} commands interleaved (start rotated each round) after ${warm} warm-up rounds, ${measureS.toFixed(0)} s;`,
    );
    o.push(
      '        fork+execve+wait4 from bench/runner.c: wall = CLOCK_MONOTONIC, peak = ru_maxrss, cpu = user+sys; stdio /dev/null;',
    );
    o.push(
      "        each executable's page cache dropped before the warm-up (peak RSS of a SEA is mostly file-backed, see runner.c)",
    );
    o.push(
      `CONF: ${conf} (root 0644): security { user = nobody group = nogroup capabilities = "cap_net_bind_service+ep" }`,
    );
    o.push('');
    const W = Math.max(...list.map((c) => c.label.length)) + 2;
    const head = `${pad('command', W)}${lpad('wall ms', 9)}${lpad('p10-p90', 16)}${lpad('max RSS MiB', 13)}${lpad('p10-p90', 15)}${lpad('cpu ms', 9)}${lpad('n', 4)}`;
    o.push(head);
    o.push('-'.repeat(head.length));
    for (const c of list) {
      const s = need(c.key);
      o.push(
        `${pad(c.label, W)}${lpad(f2(s.wall.med), 9)}${lpad(`${f2(s.wall.p10)}-${f2(s.wall.p90)}`, 16)}${lpad(f1(s.rss.med), 13)}${lpad(`${f1(s.rss.p10)}-${f1(s.rss.p90)}`, 15)}${lpad(f1(s.cpu.med), 9)}${lpad(s.wall.n, 4)}${s.bad ? `  (${s.bad} runs exited non-zero)` : ''}`,
      );
    }
    o.push('');
    const ex = need('exec');
    const nd = need('node');
    const he = need('hello');
    // Per-round pairing (same round = same machine conditions) as a robustness check.
    // exec and node were measured (the run stops above if either is broken)
    const execRows = /** @type {{ rows: Row[] }} */ (by.get('exec')).rows;
    const nodeRows = /** @type {{ rows: Row[] }} */ (by.get('node')).rows;
    const paired = stats(
      execRows
        .map((r) => r.ms / (nodeRows.find((n) => n.round === r.round)?.ms ?? NaN))
        .filter(Number.isFinite),
    );
    const ratio = ex.wall.med / nd.wall.med;
    const memLimit = he.rss.med + 10;
    const pf = /** @param {boolean} ok */ (ok) => (ok ? 'PASS' : 'MISS');
    o.push('targets (informational):');
    o.push(
      `  wall  secwrap exec / embedded node -e 0 = ${f2(ex.wall.med)} / ${f2(nd.wall.med)} ms = ${f2(ratio)}  (target <= 1.15)  ${pf(ratio <= 1.15)}` +
        `   [median of per-round ratios ${f2(paired.med)}, p10-p90 ${f2(paired.p10)}-${f2(paired.p90)}]`,
    );
    o.push(
      `        cpu (user+sys, less sensitive to other load): ${f1(ex.cpu.med)} / ${f1(nd.cpu.med)} ms = ${f2(ex.cpu.med / nd.cpu.med)}`,
    );
    if (S.nodeopts) {
      o.push(
        `        vs the embedded node -e 0 with the executable's Node options (${SEA_EXEC_ARGV.join(' ')}): ` +
          `${f2(ex.wall.med)} / ${f2(S.nodeopts.wall.med)} ms = ${f2(ex.wall.med / S.nodeopts.wall.med)}`,
      );
    }
    o.push(
      `  peak  secwrap exec ${f1(ex.rss.med)} MiB vs hello-world SEA ${f1(he.rss.med)} + 10 = ${f1(memLimit)} MiB  ${pf(ex.rss.med <= memLimit)}` +
        `   [exec - floor = ${f1(ex.rss.med - he.rss.med)} MiB]`,
    );
    if ('error' in parse26) o.push(`  parse config: FAILED on the embedded node: ${parse26.error}`);
    else
      o.push(
        `  parse loadConfig ${(parse26.bytes / 1e6).toFixed(2)} MB in ${parse26.files} files: ${f1(parse26.warm.med)} MB/s median (p10-p90 ${f1(parse26.warm.p10)}-${f1(parse26.warm.p90)}, ` +
          `${f1(parse26.msWarm.med)} ms/load, ${parse26.warm.n} runs after a first cold run of ${f1(parse26.cold)} MB/s) on ${m.embedded}  (target >= 50 MB/s)  ${pf(parse26.warm.med >= 50)}`,
      );
    if ('error' in parse20) o.push(`        (machine node: failed: ${parse20.error})`);
    else
      o.push(
        `        (machine node ${version(machineNode())}: ${f1(parse20.warm.med)} MB/s median, cold ${f1(parse20.cold)} MB/s)`,
      );
    o.push('');
    o.push("secwrap's added cost (medians):");
    o.push(
      `  exec path - hello-world SEA floor = ${f1(ex.wall.med - he.wall.med)} ms wall, ${f1(ex.cpu.med - he.cpu.med)} ms cpu, ${f1(ex.rss.med - he.rss.med)} MiB`,
    );
    o.push(`  exec path - embedded node -e 0    = ${f1(ex.wall.med - nd.wall.med)} ms wall`);
    if (S.nodeopts)
      o.push(
        `  exec path - same, executable's options = ${f1(ex.wall.med - S.nodeopts.wall.med)} ms wall (embedded node: ${f1(nd.wall.med - S.nodeopts.wall.med)} ms saved by them)`,
      );
    o.push(
      `  --version - hello-world SEA floor = ${f1(need('version').wall.med - he.wall.med)} ms (bundle load + yargs, no config, no ffi-rs)`,
    );
    o.push(
      `  exec path - --version             = ${f1(ex.wall.med - need('version').wall.med)} ms (config, plan, ffi-rs, the drop, execve)`,
    );
    if (S.bundle)
      o.push(
        `  plain bundle on node26 - SEA exec  = ${f1(S.bundle.wall.med - ex.wall.med)} ms (what the SEA's code cache saves)`,
      );
    for (const k of ['setpriv', 'capsh', 'gosu'])
      if (S[k]) o.push(`  for scale: ${k} ${f2(S[k].wall.med)} ms, ${f1(S[k].rss.med)} MiB`);
    o.push('');
    o.push('verified (target run as /bin/sh printing id and /proc/self/status):');
    for (const c of list.filter((c) => c.verified)) o.push(`  ${pad(c.label, W)} ${c.verified}`);
    for (const n of notes) o.push(`note: ${n}`);
    process.stdout.write(o.join('\n') + '\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Profile mode: where the exec path's start-up time goes (plain bundle on the embedded node)

/**
 * Line (0-based) → module path, from esbuild's `// path` comments in the (unminified) bundle.
 * @param {string} bundleText
 * @returns {(line: number) => string}
 */
function moduleMap(bundleText) {
  const lines = bundleText.split('\n');
  /** @type {[number, string][]} */
  const marks = [];
  lines.forEach((l, i) => {
    const mm = /^\/\/ ((?:node_modules|src|cmd|bench)\/\S+\.(?:[cm]?js|ts|json))$/.exec(l);
    if (mm) marks.push([i, /** @type {string} */ (mm[1]) /* group 1 always takes part */]);
  });
  return (line) => {
    let lo = 0;
    let hi = marks.length - 1;
    let ans = '(bundle prelude)';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const mark = /** @type {[number, string]} */ (marks[mid]); // lo <= mid <= hi < marks.length
      if (mark[0] <= line) {
        ans = mark[1];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  };
}

const YARGS_FAMILY = new Set([
  'yargs',
  'yargs-parser',
  'y18n',
  'cliui',
  'escalade',
  'string-width',
  'strip-ansi',
  'wrap-ansi',
  'ansi-styles',
  'ansi-regex',
  'emoji-regex',
  'get-east-asian-width',
  'get-caller-file',
]);

/**
 * @param {string} mod
 * @returns {string}
 */
function packageOf(mod) {
  const nm = /node_modules\/(?:.*node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(mod);
  if (nm) return /** @type {string} */ (nm[1]); // group 1 always takes part
  if (mod.startsWith('src/')) return mod.split('/').slice(0, 2).join('/');
  if (mod.startsWith('cmd/')) return 'cmd';
  return mod;
}
const isYargs = /** @param {string} pkg */ (pkg) => YARGS_FAMILY.has(pkg);

/** @param {string} url */
function nodeGroup(url) {
  if (url.startsWith('node:internal/modules')) return 'node: module loader';
  if (url.startsWith('node:internal/bootstrap')) return 'node: builtin compile/bootstrap';
  if (url === 'node:fs' || url.startsWith('node:internal/fs')) return 'node: fs';
  return `node: ${url.replace(/^node:(internal\/)?/, '')}`;
}

/** @template K @param {Map<K, number>} m @param {K} k @param {number} v */
const add2 = (m, k, v) => m.set(k, (m.get(k) ?? 0) + v);

/**
 * A V8 CPU profile (.cpuprofile), as --cpu-prof and bench/prof-hook.cjs write it; the hook adds
 * `endReason` and `ffi`. The fields read here.
 * @typedef {object} CpuProfile
 * @property {ProfileNode[]} nodes
 * @property {number} startTime
 * @property {number} endTime
 * @property {number[]} samples  node ids
 * @property {number[]} timeDeltas  us before each sample
 * @property {string} [endReason]
 * @property {Record<string, { n: number, ms: number }>} [ffi]
 */
/** @typedef {import('node:inspector').Profiler.ProfileNode} ProfileNode */
/** @typedef {import('node:inspector').Profiler.PositionTickInfo} PositionTickInfo */
/**
 * A profile frame, placed: in the bundle (module, package) or outside it.
 * @typedef {{ inBundle: boolean, mod: string, pkg: string, fn: string, line: number }} FrameInfo
 */

/**
 * @param {CpuProfile[]} profiles
 * @param {string} bundleText
 */
function analyse(profiles, bundleText) {
  const modOf = moduleMap(bundleText);
  const bundleUrl = `file://${BUNDLE}`;
  /** @typedef {Map<string, number>} Ms  milliseconds by name */
  const acc = {
    total: 0,
    byModule: /** @type {Ms} */ (new Map()),
    byFunc: /** @type {Ms} */ (new Map()),
    byPkgIncl: /** @type {Ms} */ (new Map()),
    yargsFuncIncl: /** @type {Ms} */ (new Map()),
    /** milliseconds by bundle line (1-based) */
    byLine: /** @type {Map<number, number>} */ (new Map()),
    cats: /** @type {Ms} */ (new Map()),
  };
  /** @template K @param {Map<K, number>} m @param {K} k @param {number} v */
  const add = (m, k, v) => m.set(k, (m.get(k) ?? 0) + v);
  for (const p of profiles) {
    const nodes = new Map(p.nodes.map((n) => [n.id, n]));
    /** @type {Map<number, number>} */
    const parent = new Map();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    // self time per node: DevTools convention, sample i lasts until sample i+1.
    /** @type {Map<number, number>} */
    const self = new Map();
    // i + 1 < samples.length = timeDeltas.length: both are elements
    for (let i = 0; i + 1 < p.samples.length; i++)
      add(
        self,
        /** @type {number} */ (p.samples[i]),
        /** @type {number} */ (p.timeDeltas[i + 1]) / 1000,
      );
    /**
     * @param {ProfileNode} n
     * @returns {FrameInfo}
     */
    const frameInfo = (n) => {
      const cf = n.callFrame;
      if (cf.url === bundleUrl && cf.lineNumber === 0 && cf.columnNumber <= 1)
        // 1: wrapped (cached-run.cjs)
        return {
          inBundle: true,
          mod: '(bundle top level)',
          pkg: '(bundle top level)',
          fn: '(anonymous)',
          line: 1,
        };
      if (cf.url === bundleUrl) {
        const mod = modOf(cf.lineNumber);
        return {
          inBundle: true,
          mod,
          pkg: packageOf(mod),
          fn: cf.functionName || '(anonymous)',
          line: cf.lineNumber + 1,
        };
      }
      if (cf.url.startsWith('node:'))
        return {
          inBundle: false,
          mod: cf.url,
          pkg: nodeGroup(cf.url),
          fn: cf.functionName || '(anonymous)',
          line: cf.lineNumber + 1,
        };
      if (
        cf.url.includes('prof-hook') &&
        /load|open|dlopen|timed|^$/.test(cf.functionName) &&
        cf.lineNumber > 30
      )
        return {
          inBundle: false,
          mod: 'ffi-rs native call',
          pkg: 'ffi-rs native',
          fn: cf.functionName || 'binding call',
          line: 0,
        };
      if (cf.url.includes('prof-hook'))
        return {
          inBundle: false,
          mod: 'bench/prof-hook.cjs',
          pkg: 'profiler hook',
          fn: cf.functionName,
          line: cf.lineNumber + 1,
        };
      return {
        inBundle: false,
        mod: cf.functionName || cf.url,
        pkg: cf.functionName || cf.url,
        fn: cf.functionName,
        line: 0,
      };
    };
    for (const [id, ms] of self) {
      // Sample ids and children are ids of the profile's nodes.
      const n = /** @type {ProfileNode} */ (nodes.get(id));
      /** @type {FrameInfo[]} */
      const stack = [];
      for (
        let cur = /** @type {number | undefined} */ (id);
        cur !== undefined;
        cur = parent.get(cur)
      )
        stack.push(frameInfo(/** @type {ProfileNode} */ (nodes.get(cur))));
      const fi = /** @type {FrameInfo} */ (stack[0]); // the loop's first turn pushed id's own frame
      acc.total += ms;
      // Self time by module: split by positionTicks (line-level) for bundle frames; the bundle's
      // top-level function spans every module's init code.
      if (fi.inBundle && n.positionTicks?.length) {
        const ticks = n.positionTicks.reduce((a, t) => a + t.ticks, 0);
        for (const t of n.positionTicks) {
          const mod = modOf(t.line - 1);
          add(acc.byLine, t.line, (ms * t.ticks) / ticks);
          add(acc.byModule, mod, (ms * t.ticks) / ticks);
          if (fi.fn === '(anonymous)' && n.callFrame.lineNumber === 0)
            add(acc.byFunc, `module init of ${mod}`, (ms * t.ticks) / ticks);
        }
        if (!(fi.fn === '(anonymous)' && n.callFrame.lineNumber === 0))
          add(acc.byFunc, `${fi.fn}  ${fi.mod}:${fi.line}`, ms);
      } else {
        add(acc.byModule, fi.inBundle ? fi.mod : fi.pkg, ms);
        add(
          acc.byFunc,
          `${fi.fn}  ${fi.inBundle ? fi.mod : fi.mod}${fi.line ? `:${fi.line}` : ''}`,
          ms,
        );
      }
      // Inclusive attribution: the owner is the innermost bundle frame that is not one of
      // esbuild's helpers (__commonJS/__toESM/__esm in the prelude); module-scope code of every
      // module runs in the bundle's single top-level function (line 1).
      const owner = stack.find((f) => f.inBundle && f.mod !== '(bundle prelude)');
      const isTop = /** @param {FrameInfo | undefined} f */ (f) =>
        f?.inBundle && f.fn === '(anonymous)' && f.line === 1;
      const compiling =
        !owner && stack.some((f) => f.fn === 'wrapSafe' || f.fn === 'compileFunction');
      const hook = stack.some((f) => f.pkg === 'profiler hook');
      /** @type {string | null} */
      let cat;
      if (fi.mod === '(garbage collector)') cat = 'GC';
      else if (fi.pkg === 'ffi-rs native')
        cat = `ffi-rs native code (${owner?.mod === 'src/libc/native.ts' ? 'dlopen of the addon' : 'libc calls through binding.load'})`;
      else if (compiling)
        cat = 'V8 compile of dist/secwrap.cjs (the SEA uses a code cache instead)';
      else if (!owner)
        cat = hook ? 'profiler hook (not secwrap)' : `before/outside the bundle: ${fi.pkg}`;
      else if (isTop(owner)) {
        if (owner === fi && n.positionTicks?.length)
          cat = null; // split by line below
        else cat = `module init, calls into ${fi.pkg} (builtin require etc.)`;
      } else if (isYargs(owner.pkg))
        cat =
          fi.pkg === 'node: fs'
            ? 'yargs family: file-system calls'
            : 'yargs family: functions (parse, commands, usage, y18n)';
      else if (owner.mod === 'src/libc/native.ts')
        cat = 'ffi-rs: load the addon (native.ts, JS side)';
      else if (owner.mod === 'src/libc/libc.ts')
        cat = 'libc wrappers (libc.ts, JS side: marshalling)';
      else if (owner.mod.startsWith('src/config/')) cat = 'config: read + parse (src/config)';
      else cat = `secwrap ${owner.pkg}`;
      if (cat === null) {
        // cat is null only where n.positionTicks?.length was checked (above)
        const positionTicks = /** @type {PositionTickInfo[]} */ (n.positionTicks);
        const ticks = positionTicks.reduce((a, t) => a + t.ticks, 0);
        for (const t of positionTicks) {
          const pkg = packageOf(modOf(t.line - 1));
          add(
            acc.cats,
            isYargs(pkg) ? `yargs family: module init (${pkg})` : `module init: ${pkg}`,
            (ms * t.ticks) / ticks,
          );
          add(acc.byPkgIncl, `${pkg} (module init)`, (ms * t.ticks) / ticks);
        }
      } else add(acc.cats, cat, ms);
      if (cat !== null)
        add(
          acc.byPkgIncl,
          fi.pkg === 'ffi-rs native'
            ? 'ffi-rs native'
            : owner
              ? isTop(owner) && owner !== fi
                ? 'module init: calls into node'
                : owner.pkg
              : compiling
                ? 'node: compiling dist/secwrap.cjs'
                : fi.pkg,
          ms,
        );
      // yargs functions, inclusive, only for samples that yargs owns (not its command handlers).
      const seen = new Set();
      for (const f of owner && isYargs(owner.pkg) ? stack : []) {
        if (f.inBundle && isYargs(f.pkg)) {
          const k = `${f.fn}  ${f.mod}:${f.line}`;
          if (!seen.has(k)) {
            seen.add(k);
            add(acc.yargsFuncIncl, k, ms);
          }
        }
      }
    }
  }
  return acc;
}

/**
 * @param {string} conf
 * @returns {string[]}
 */
function straceProbe(conf) {
  const strace = which('strace');
  if (!strace) return ['(strace not installed: no file-system probe listing)'];
  const out = join(CACHE, 'prof', 'strace.txt');
  const r = spawnSync(
    strace,
    [
      '-f',
      '-qq',
      '-o',
      out,
      '-e',
      'trace=open,openat,stat,lstat,newfstatat,statx,access,faccessat,faccessat2,readlink,readlinkat,getdents64',
      SECWRAP,
      '-c',
      conf,
      '--',
      '/bin/true',
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) return [`(strace run failed: ${r.stderr.split('\n')[0]})`];
  const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean);
  // filter(Boolean) keeps the strings (non-empty ones) only
  const paths = /** @type {string[]} */ (
    lines.map((l) => /"([^"]*)"/.exec(l)?.[1]).filter(Boolean)
  );
  const count = /** @param {RegExp} re */ (re) => paths.filter((p) => re.test(p)).length;
  const pkgProbes = [...new Set(paths.filter((p) => /package\.json$/.test(p)))];
  const locale = [...new Set(paths.filter((p) => /locales?\//.test(p)))];
  const res = [
    `strace of dist/secwrap -c CONF -- /bin/true (the SEA): ${lines.length} file-system calls, ${new Set(paths).size} distinct paths`,
    `  package.json probes: ${count(/package\.json$/)} calls${pkgProbes.length ? `: ${pkgProbes.slice(0, 6).join(', ')}${pkgProbes.length > 6 ? ', ...' : ''}` : ''}`,
    `  locale files: ${count(/locales?\//)} calls${locale.length ? `: ${locale.slice(0, 4).join(', ')}` : ''}`,
    `  /proc: ${count(/^\/proc\//)}, /etc (passwd/group/nss): ${count(/^\/etc\//)}, addon dirs (/dev/shm /run /tmp /var/tmp): ${count(/^\/(dev\/shm|run|tmp|var\/tmp)\/?$/)}, icu/locale data: ${count(/icu|\.dat$/)}`,
    `  full trace: ${relative(ROOT, out)}`,
  ];
  return res;
}

function profile() {
  if (process.geteuid?.() !== 0) fatal('run as root');
  if (!existsSync(BUNDLE)) fatal('dist/secwrap.cjs is missing: node scripts/build.mjs');
  const profDir = join(CACHE, 'prof');
  rmSync(profDir, { recursive: true, force: true });
  mkdirSync(profDir, { recursive: true });
  const { dir, conf } = makeConf();
  try {
    const bundleText = readFileSync(BUNDLE, 'utf8'); // read now: profiles refer to these lines
    const o = [];
    // 1. The literal `--cpu-prof` run of the exec path: Node writes the profile at exit, which a
    //    successful execve never reaches. Shown so nobody trusts an empty directory.
    const lit = join(profDir, 'cpu-prof-literal');
    mkdirSync(lit);
    spawnSync(
      PINNED,
      ['--cpu-prof', `--cpu-prof-dir=${lit}`, BUNDLE, '-c', conf, '--', '/bin/true'],
      { stdio: 'ignore' },
    );
    const litFiles = readdirSync(lit).length;
    // 2. `--cpu-prof` on explain (exits normally): a cross-check of the hook's numbers.
    const expl = join(profDir, 'explain');
    mkdirSync(expl);
    spawnSync(
      PINNED,
      [
        '--cpu-prof',
        `--cpu-prof-dir=${expl}`,
        '--cpu-prof-interval=50',
        BUNDLE,
        'explain',
        '-c',
        conf,
        '--',
        '/bin/true',
      ],
      { stdio: 'ignore' },
    );
    // 3. The exec path with the hook (profile stopped right before execve), several runs, with the
    //    bundle compiled as the executable compiles its program: from a code cache trained on the
    //    exec path (bench/cached-run.cjs; the same wrapping and training as scripts/build.mjs).
    const wrapped = join(profDir, 'secwrap.wrapped.js');
    const cache = join(profDir, 'secwrap.jscache');
    wrapBundle(BUNDLE, wrapped);
    const spec = join(profDir, 'train.json');
    writeFileSync(
      spec,
      JSON.stringify({ main: wrapped, anchor: BUNDLE, save: 'main', out: cache }),
    );
    const tr = spawnSync(
      PINNED,
      [
        '--predictable',
        join(ROOT, 'scripts/sea/train.cjs'),
        spec,
        '-c',
        conf,
        '--',
        join(dir, 'absent'),
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        encoding: 'utf8',
      },
    );
    if (!existsSync(cache))
      fatal(`training the code cache failed (exit ${tr.status}): ${tr.stderr}`);
    const runs = Number(opt['profile-runs']);
    /** @type {CpuProfile[]} */
    const profiles = [];
    /** @type {number[]} */
    const walls = [];
    for (let i = 0; i < runs + 1; i++) {
      const out = join(profDir, `exec-${i}.cpuprofile`);
      const t = performance.now();
      const r = spawnSync(
        PINNED,
        [
          '--require',
          join(BENCH, 'prof-hook.cjs'),
          join(BENCH, 'cached-run.cjs'),
          wrapped,
          cache,
          BUNDLE,
          '-c',
          conf,
          '--',
          '/bin/true',
        ],
        {
          env: { ...process.env, BENCH_PROF_OUT: out, BENCH_PROF_INTERVAL_US: '50' },
          stdio: ['ignore', 'ignore', 'pipe'],
          encoding: 'utf8',
        },
      );
      walls.push(performance.now() - t);
      if (r.status !== 0) fatal(`profiled run failed (exit ${r.status}): ${r.stderr}`);
      if (i === 0) continue; // warm-up (page cache)
      const p = /** @type {CpuProfile} */ (JSON.parse(readFileSync(out, 'utf8')));
      if (p.endReason !== 'execvp') fatal(`profile ${out} did not end at execvp (${p.endReason})`);
      profiles.push(p);
    }
    const a = analyse(profiles, bundleText);
    const per = /** @param {number} ms */ (ms) => ms / profiles.length;
    const modOf = moduleMap(bundleText);
    /** @template K @param {Map<K, number>} m @returns {[K, number][]} */
    const top = (m, n = 15) => [...m.entries()].sort((x, y) => y[1] - x[1]).slice(0, n);
    const line = /** @param {string} k @param {number} v */ (k, v) =>
      `  ${lpad(f2(per(v)), 7)} ms  ${lpad(((100 * v) / a.total).toFixed(1), 5)}%  ${k}`;
    const profiledSpan = stats(profiles.map((p) => (p.endTime - p.startTime) / 1000));
    o.push(
      `secwrap exec path profile: ${relative(ROOT, PINNED)} (${version(PINNED)}) --require bench/prof-hook.cjs bench/cached-run.cjs … dist/secwrap.cjs -c CONF -- /bin/true`,
    );
    o.push(
      '  (the bundle compiled from a code cache trained on the exec path, as the executable compiles its program)',
    );
    o.push(
      `  ${profiles.length} runs (+1 warm-up), sampling every 50 us; per run: ${f1(per(a.total))} ms sampled from the preload to execve (profiler span median ${f1(profiledSpan.med)} ms),`,
    );
    o.push(
      `  whole process under the profiler median ${f1(stats(walls.slice(1)).med)} ms. Times below are per run (average), self time unless said otherwise.`,
    );
    o.push(
      `  (--cpu-prof itself on the exec path wrote ${litFiles} profile(s): Node writes it at exit and execve never exits; hence the hook.)`,
    );
    o.push('');
    o.push('where the time goes (each sample in exactly one bucket):');
    for (const [k, v] of top(a.cats, 20)) o.push(line(k, v));
    const sumOf = /** @param {RegExp} re */ (re) =>
      [...a.cats.entries()].filter(([k]) => re.test(k)).reduce((x, [, v]) => x + v, 0);
    o.push(
      `  totals: yargs family ${f1(per(sumOf(/^yargs family/)))} ms (of which string-width init ${f1(per(sumOf(/string-width/)))} ms); ` +
        `ffi-rs + libc ${f1(per(sumOf(/ffi-rs|libc/)))} ms; config ${f1(per(sumOf(/^config/)))} ms; V8 compile ${f1(per(sumOf(/V8 compile/)))} ms; GC ${f1(per(sumOf(/^GC/)))} ms`,
    );
    o.push('');
    /** @type {Map<string, { n: number, ms: number }>} */
    const ffi = new Map();
    for (const p of profiles)
      for (const [k, v] of Object.entries(p.ffi ?? {})) {
        const e = ffi.get(k) ?? { n: 0, ms: 0 };
        e.n += v.n;
        e.ms += v.ms;
        ffi.set(k, e);
      }
    const ffiTotal = [...ffi.values()].reduce((x, e) => x + e.ms, 0);
    const ffiCalls = [...ffi.values()].reduce((x, e) => x + e.n, 0);
    o.push(
      `native ffi-rs calls, timed in the hook: ${f1(ffiCalls / profiles.length)} calls, ${f2(per(ffiTotal))} ms per run; top 10:`,
    );
    for (const [k, e] of [...ffi.entries()].sort((x, y) => y[1].ms - x[1].ms).slice(0, 10))
      o.push(
        `  ${lpad(f2(per(e.ms)), 7)} ms  ${lpad(f1(e.n / profiles.length), 6)} calls  ${lpad(((1000 * e.ms) / e.n).toFixed(0), 5)} us/call  ${k}`,
      );
    o.push('');
    {
      /** @type {Map<string, number>} */
      const bytes = new Map();
      bundleText.split('\n').forEach((l, i) => {
        add2(bytes, packageOf(modOf(i)), l.length + 1);
      });
      const tot = bundleText.length;
      const yb = [...bytes.entries()].filter(([k]) => isYargs(k)).reduce((x, [, v]) => x + v, 0);
      o.push(
        `dist/secwrap.cjs: ${(tot / 1024).toFixed(0)} KiB; yargs family ${(yb / 1024).toFixed(0)} KiB (${((100 * yb) / tot).toFixed(0)}%: compiled, or code-cache-deserialised in the SEA, at every start); by package:`,
      );
      o.push(
        `  ${[...bytes.entries()]
          .sort((x, y) => y[1] - x[1])
          .slice(0, 12)
          .map(([k, v]) => `${k} ${(v / 1024).toFixed(0)}K`)
          .join(', ')}`,
      );
      o.push('');
    }
    o.push(
      "top 15 by self time, aggregated by module file (bundle lines mapped back through esbuild's module comments):",
    );
    for (const [k, v] of top(a.byModule)) o.push(line(k, v));
    o.push('');
    const bl = bundleText.split('\n');
    o.push('hottest lines of dist/secwrap.cjs (self time):');
    for (const [k, v] of top(a.byLine, 8))
      o.push(`${line(`${modOf(k - 1)}:${k}  ${(bl[k - 1] ?? '').trim().slice(0, 110)}`, v)}`);
    o.push('');
    o.push('top 15 functions by self time:');
    for (const [k, v] of top(a.byFunc)) o.push(line(k, v));
    o.push('');
    o.push('top 15 by inclusive time, charged to the innermost bundle package on the stack:');
    for (const [k, v] of top(a.byPkgIncl)) o.push(line(k, v));
    o.push('');
    o.push('yargs family, top 15 functions by inclusive time:');
    for (const [k, v] of top(a.yargsFuncIncl)) o.push(line(k, v));
    o.push('');
    // explain cross-check
    const ef = readdirSync(expl).filter((f) => f.endsWith('.cpuprofile'));
    if (ef.length) {
      const ep = /** @type {CpuProfile} */ (
        JSON.parse(
          readFileSync(join(expl, /** @type {string} */ (ef[0]) /* ef.length > 0 */), 'utf8'),
        )
      );
      const ea = analyse([ep], bundleText);
      o.push(
        `cross-check, plain --cpu-prof of \`explain -c CONF -- /bin/true\` (1 run, ${f1(ea.total)} ms sampled): top 6 buckets`,
      );
      for (const [k, v] of top(ea.cats, 6)) o.push(`  ${lpad(f2(v), 7)} ms  ${k}`);
      o.push('');
    }
    o.push(...straceProbe(conf));
    o.push('');
    o.push(
      `profiles: ${relative(ROOT, profDir)}/exec-*.cpuprofile (open in Chrome DevTools > Performance, or speedscope)`,
    );
    process.stdout.write(o.join('\n') + '\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (opt.profile) profile();
else await bench();
