import { EXIT_FAILURE, SecwrapError } from '../src/errors.js';
import { writeAll } from './output.js';

/** One line on stderr, then exit: the error's own code (125/126/127) unless told otherwise. */
export function die(e: unknown, code?: number): never {
  const msg = e instanceof Error ? e.message : String(e);
  writeAll(2, `secwrap: ${msg.replace(/\n/g, ' ')}\n`);
  process.exit(code ?? (e instanceof SecwrapError ? e.exitCode : EXIT_FAILURE));
}
