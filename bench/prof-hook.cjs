// Preloaded (`node --require bench/prof-hook.cjs dist/secwrap.cjs ...`) by `node bench/bench.mjs
// --profile`. Records a V8 CPU profile of the whole run, *including a run that ends in execve*.
//
// Why not just `--cpu-prof`: Node writes that profile when the process exits, and a successful
// execve replaces the process first, so the exec path never leaves a profile. This hook drives the
// same V8 sampling profiler through node:inspector (same .cpuprofile format), starts it before the
// main script and stops it synchronously right before ffi-rs calls execve (or at exit, for runs
// that exit). The output file is opened now, while still root: after the privilege drop the
// process could not create it, and the descriptor is close-on-exec, so the target never sees it.
//
// Env: BENCH_PROF_OUT (file to write), BENCH_PROF_INTERVAL_US (sampling interval, default 50).
'use strict';
const fs = require('node:fs');
const inspector = require('node:inspector');

const out = process.env.BENCH_PROF_OUT;
if (out) {
  delete process.env.BENCH_PROF_OUT;
  delete process.env.BENCH_PROF_INTERVAL_US;
  const fd = fs.openSync(out, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | 0o2000000, 0o600);
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: Number(process.env.BENCH_PROF_INTERVAL_US ?? 50) });
  session.post('Profiler.start');
  let done = false;
  // Wall time of each native ffi-rs call, by function (the profiler cannot see inside native code).
  const ffi = /** @type {Record<string, FfiTiming>} */ ({});
  /** @template T @param {string} name @param {() => T} fn @returns {T} */ const timed = (name, fn) => {
    const t = process.hrtime.bigint();
    try {
      return fn();
    } finally {
      const e = (ffi[name] ??= { n: 0, ms: 0 });
      e.n++;
      e.ms += Number(process.hrtime.bigint() - t) / 1e6;
    }
  };
  const finish = /** @param {string} why */ (why) => {
    if (done) return;
    done = true;
    // Same-thread inspector sessions answer synchronously: the callback runs before post returns.
    session.post('Profiler.stop', (err, res) => {
      if (err) return;
      /** @type {HookedProfile} */ (res.profile).endReason = why;
      /** @type {HookedProfile} */ (res.profile).ffi = ffi;
      fs.writeSync(fd, JSON.stringify(res.profile));
      fs.closeSync(fd);
    });
  };
  process.on('exit', () => finish('exit'));
  // ffi-rs is loaded with process.dlopen (src/libc/native.ts): wrap its `load` to catch execvp.
  const dlopen = process.dlopen;
  process.dlopen = function (mod, file, ...rest) {
    const r = timed('(dlopen ffi-rs addon)', () => dlopen.call(this, mod, file, ...rest));
    const b = mod && /** @type {{ exports?: FfiBinding }} */ (mod).exports;
    if (b && typeof b.load === 'function' && !b.__benchHooked) {
      const load = b.load;
      const open = b.open;
      b.load = /** @param {{ funcName?: unknown } | undefined} params */ function (params) {
        if (params && params.funcName === 'execvp') finish('execvp');
        return timed(String(params && params.funcName), () => load.apply(this, arguments));
      };
      if (typeof open === 'function') b.open = function () { return timed('(ffi open library)', () => open.apply(this, arguments)); };
      b.__benchHooked = true;
    }
    return r;
  };
}

// Types (JSDoc, for tsconfig.scripts.json), kept below the code: bench.mjs's profile analysis
// tells this hook's wrappers from its set-up by their line numbers (`cf.lineNumber > 30`), so
// nothing above may move.
/** @typedef {{ n: number, ms: number }} FfiTiming  calls and wall ms of one native function */
/**
 * The profile this hook writes: V8's, plus why it ended and the ffi-rs timings (read by bench.mjs).
 * @typedef {inspector.Profiler.Profile & { endReason?: string, ffi?: Record<string, FfiTiming> }} HookedProfile
 */
/**
 * The part of ffi-rs's binding (the addon module's exports) the hook wraps. `load` and `open` are
 * forwarded with whatever arguments they get (`apply(this, arguments)`): typed as Function, the
 * one callable type whose `apply` takes an `arguments` object (a typed signature's strict `apply`
 * wants an array); their results are therefore `any`, passed through untouched.
 * @typedef {{ load?: Function, open?: Function, __benchHooked?: boolean }} FfiBinding
 */
