/**
 * The subcommands' policy, each a straight line over the library:
 * parse → resolve → plan → apply → verify → exec.
 */
import { capFromText, capsReport, privilegesFromText } from '../src/caps/index.js';
import {
  checkJson,
  loadConfig,
  securityScope,
  serverMaxFileDescriptors,
  type SecurityScope,
} from '../src/config/index.js';
import { ConfigError, SecwrapError } from '../src/errors.js';
import { apply } from '../src/apply/apply.js';
import { missingPrivileges } from '../src/apply/preflight.js';
import { StatusReader, readState } from '../src/proc/status.js';
import { handOff } from '../src/exec/handoff.js';
import { ownCommandBytes } from '../src/exec/argv.js';
import { buildPlan, type Plan } from '../src/plan/plan.js';
import { planToDocker, planToJson, planToK8s, planToText, unmapped } from '../src/plan/format.js';
import { buildRequest, specRequest, type ConfigGlobals, type Flags } from '../src/plan/request.js';
import { resolveUserSpec, type SpecDialect } from '../src/identity/userspec.js';
import { isatty } from '../src/libc/libc.js';
import { checkChrootPath, configOpener } from '../src/trust/trust.js';
import { mustEnforceTrust } from '../src/trust/privilege.js';
import { writeAll } from './output.js';

export type RunFlags = Flags;

const out = (s: string): void => writeAll(1, s);
/** Diagnostics are a courtesy: a stderr nobody reads must not change an exit code (check's 1). */
const err = (s: string): void => {
  try {
    writeAll(2, s);
  } catch {
    // stderr is gone (EPIPE, EBADF): the exit code still says what happened
  }
};

/**
 * The config's security scope and the one global option secwrap applies (trust-checked as the
 * file is read), or nulls without -c.
 */
function configOf(
  flags: Flags,
  enforce: boolean,
): { scope: SecurityScope | null; globals: ConfigGlobals | null } {
  if (flags.config === undefined) return { scope: null, globals: null };
  const doc = loadConfig(flags.config, { open: configOpener(enforce) });
  return {
    scope: securityScope(doc),
    globals: { serverMaxFileDescriptors: serverMaxFileDescriptors(doc) },
  };
}

/** `status`: an open reader of /proc/self/status when the caller has one (the run path). */
function makePlan(flags: Flags, command: string[], status?: StatusReader): Plan {
  const state = status ? status.read() : readState();
  const enforce = mustEnforceTrust(state);
  const { scope, globals } = configOf(flags, enforce);
  const req = buildRequest(flags, scope, command, globals);
  if (req.chroot !== undefined) req.chroot = checkChrootPath(req.chroot, enforce);
  return buildPlan(req, { state, pid: process.pid, env: process.env, stdinIsTty: isatty(0) });
}

/**
 * The run path: parse → resolve → plan → apply → verify → exec, in this one place. Returns only
 * by throwing (exit 125, 126 or 127); success is execvp.
 */
export function run(flags: Flags, command: string[]): never {
  if (command.length === 0)
    throw new SecwrapError('no command given (secwrap [options] -- COMMAND [ARG...])');
  const argv = ownCommandBytes(command); // the caller's exact bytes, read while /proc is reachable
  const status = new StatusReader(); // opened before any chroot; close-on-exec
  const plan = makePlan(flags, command, status); // parse (config, flags), resolve, plan
  runPlan(plan, status, argv, flags.verbose ?? false);
}

/**
 * gosu and su-exec mode (./gosu.ts, ./su-exec.ts): their USER-SPEC resolved by their rules
 * (src/identity/userspec.ts), then the same plan, apply, verify and hand-off as the run path.
 */
export function runSpec(dialect: SpecDialect, spec: string, command: string[]): never {
  if (command.length === 0)
    throw new SecwrapError(`no command given (${dialect} USER-SPEC COMMAND [ARG...])`);
  const argv = ownCommandBytes(command);
  const status = new StatusReader();
  const state = status.read();
  const identity = resolveUserSpec(dialect, spec, { uid: state.uid[0]!, gid: state.gid[0]! });
  const plan = buildPlan(specRequest(identity, command), {
    state,
    pid: process.pid,
    env: process.env,
    stdinIsTty: false,
  });
  runPlan(plan, status, argv, false);
}

/** apply, verify, hand-off: the same for every mode. */
function runPlan(
  plan: Plan,
  status: StatusReader,
  argv: readonly Buffer[],
  verbose: boolean,
): never {
  // -v: a log line that cannot be written stops the run (125), as any other failed call does
  const log = verbose ? (line: string) => writeAll(2, `secwrap: ${line}\n`) : () => {};
  for (const note of plan.notes) log(`note: ${note}`);
  const verified = apply(plan, log, status); // apply, then verify
  handOff(plan, verified, status, argv, log); // signals, stdio, env, exec
}

export function explain(flags: Flags, command: string[], format: string): void {
  const plan = makePlan(flags, command);
  const missing = missingPrivileges(plan);
  const text =
    format === 'json'
      ? JSON.stringify(planToJson(plan, missing), null, 2) + '\n'
      : format === 'docker'
        ? planToDocker(plan)
        : format === 'k8s'
          ? planToK8s(plan)
          : planToText(plan, missing);
  out(text);
  // The docker flags stay one line for $(…); what they cannot say goes to stderr.
  if (format === 'docker') for (const n of unmapped(plan, 'docker')) err(`secwrap: note: ${n}\n`);
  // It exits as the run would: 125 when this process could not carry the plan out (also as
  // non-root). The docker and k8s formats describe a container's run, not this process's.
  if (missing.length > 0 && format !== 'docker' && format !== 'k8s')
    throw new SecwrapError(`the run would fail: ${missing.join('; ')}`);
}

/**
 * check: 0 valid, 1 invalid. The default mode follows includes (trust-checked when root),
 * validates the scope's shapes, the capability and privilege texts, and the chroot's ownership.
 */
export function check(file: string, opts: { syntaxOnly: boolean; json: boolean }): number {
  try {
    const enforce = mustEnforceTrust(readState());
    const open = configOpener(enforce);
    let scope: SecurityScope;
    if (opts.syntaxOnly) {
      scope = securityScope(loadConfig(file, { followIncludes: false, validate: false, open }), {
        validate: false,
      });
    } else {
      const doc = loadConfig(file, { open });
      scope = securityScope(doc);
      serverMaxFileDescriptors(doc); // its value must be a whole number above 0
      validateTexts(scope);
      if (scope.settings.chroot !== undefined) {
        try {
          checkChrootPath(scope.settings.chroot, enforce);
        } catch (e) {
          const p = scope.sources.chroot;
          throw p ? new ConfigError(p, (e as Error).message) : e;
        }
      }
    }
    if (opts.json) out(JSON.stringify(checkJson(scope)) + '\n');
    return 0;
  } catch (e) {
    if (!(e instanceof SecwrapError)) throw e;
    err(`secwrap: ${e.message}\n`);
    if (opts.json) out(JSON.stringify({ valid: false, error: e.message }) + '\n');
    return 1;
  }
}

function validateTexts(scope: SecurityScope): void {
  const { capabilities, privileges } = scope.settings;
  const wrap = (key: 'capabilities' | 'privileges', f: () => unknown): void => {
    try {
      f();
    } catch (e) {
      const p = scope.sources[key];
      const msg = `${key}: ${(e as Error).message}`;
      throw p ? new ConfigError(p, msg) : new SecwrapError(msg);
    }
  };
  if (capabilities !== undefined) wrap('capabilities', () => capFromText(capabilities));
  if (privileges !== undefined) wrap('privileges', () => privilegesFromText(privileges));
}

export function caps(texts: string[], json: boolean): number {
  const r = capsReport(texts, json);
  out(r.lines.map((l) => l + '\n').join(''));
  return r.ok ? 0 : 1;
}
