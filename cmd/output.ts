/**
 * Output of the subcommands and of errors, written synchronously and completely. fs.writeSync
 * may write only part (a pipe whose reader is slow) or fail with EAGAIN: Node makes a pipe on
 * stdout non-blocking as soon as anything creates process.stdout (yargs' help and version output
 * do; its shim did at load, to learn the terminal width, until scripts/build.mjs made that lazy).
 * Ignoring the count truncated `secwrap caps` output at 64 KiB with exit 0.
 */
import { writeSync } from 'node:fs';

const EAGAIN_WAIT_MS = 1;
let sleeper: Int32Array | undefined;

/** Write all of `text` to `fd`, waiting while a non-blocking descriptor is full. */
export function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text, 'utf8');
  for (let off = 0; off < buf.length; ) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      sleeper ??= new Int32Array(new SharedArrayBuffer(4));
      Atomics.wait(sleeper, 0, 0, EAGAIN_WAIT_MS); // a synchronous pause; nothing else runs
    }
  }
}
