import { EXIT_FAILURE, SecwrapError, messageLine } from '../src/errors.js';
import { writeAll } from './output.js';

/**
 * One line on stderr, then exit: the error's own code (125/126/127) unless told otherwise. The
 * line is bounded and has its control characters escaped (messageLine): messages quote input.
 *
 * The exit code is the contract, the line only a courtesy: a stderr that cannot take it (a pipe
 * whose reader has gone, a closed or full descriptor) must not turn 125 into an uncaught EPIPE
 * (exit 1). After the hand-off SIGPIPE is back to its default action, so a failed execvp that
 * then wrote to such a pipe would die by the signal instead of exiting 126 or 127: a listener
 * makes Node catch it again first, and the write fails with EPIPE, which is ignored.
 */
export function die(e: unknown, code?: number): never {
  const msg = e instanceof Error ? e.message : String(e);
  const exitCode = code ?? (e instanceof SecwrapError ? e.exitCode : EXIT_FAILURE);
  try {
    process.on('SIGPIPE', () => {});
    writeAll(2, `secwrap: ${messageLine(msg)}\n`);
  } catch {
    // stderr is gone: the exit code still says what happened
  }
  process.exit(exitCode);
}
