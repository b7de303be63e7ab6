#!/usr/bin/env node
/**
 * secwrap's command line.
 *
 *   secwrap [options] [-c FILE] -- COMMAND [ARG...]   drop privileges, then execve COMMAND
 *   secwrap check [--syntax-only] [--json] [-c] FILE  validate a config
 *   secwrap explain [-c FILE] [options] [--json | --format text|docker|k8s] [-- COMMAND...]
 *   secwrap caps [--json] [--] TEXT...                read libcap capability text
 *   secwrap completion                                print a shell completion script
 *   gosu USER-SPEC COMMAND [ARG...]                   started as gosu: gosu's interface (./gosu.ts)
 *   su-exec USER-SPEC COMMAND [ARG...]                started as su-exec: su-exec's (./su-exec.ts)
 *
 * The run path (the one every container start takes) is read by ./fast-args.ts over the shared
 * option table and goes straight to work; everything else — subcommands, help, completion, usage
 * errors — is the full yargs CLI in ./cli.ts, loaded only then.
 */
// First: capture the stdio flags before anything can touch process.stdout/stdin.
import '../src/exec/startup.js';
import { die } from './die.js';
import { fastRunArgs } from './fast-args.js';
import { run, check, explain, caps } from './commands.js';
import { SecwrapError } from '../src/errors.js';
import { SUBCOMMANDS } from './options.js';
import { refuseSecureStart } from '../src/trust/privilege.js';
import { refuseNodeIpcChannel } from '../src/exec/node-env.js';
import { gosuMain } from './gosu.js';
import { suExecMain } from './su-exec.js';

declare const __SECWRAP_VERSION__: string | undefined;
const VERSION = typeof __SECWRAP_VERSION__ === 'string' ? __SECWRAP_VERSION__ : '0.0.0-dev';

const argv = process.argv.slice(2);
/** The name it was started as (a symlink named gosu or su-exec selects that mode). */
const self = process.argv0;
const name = self.slice(self.lastIndexOf('/') + 1);
try {
  // Before anything else is read: a setuid, setgid or file-capability start is refused.
  refuseSecureStart();
  refuseNodeIpcChannel(); // every path: see src/exec/node-env.ts
  if (name === 'gosu') gosuMain(name, argv, VERSION);
  if (name === 'su-exec') suExecMain(self, argv);
  const fast = argv[0] !== undefined && !SUBCOMMANDS.has(argv[0]) ? fastRunArgs(argv) : null;
  if (fast) {
    run(fast.flags, fast.command);
  } else {
    // Loaded only here: a bundle of its own (dist/cli.cjs, or the executable's `cli` asset).
    void import('./cli.js')
      .then((cli) => cli.runCli(argv, VERSION, { run, check, explain, caps, die, SecwrapError }))
      .catch((e: unknown) => die(e));
  }
} catch (e) {
  die(e);
}
