/**
 * The state of the standard descriptors when secwrap started, captured before anything can touch
 * process.stdout/stdin (Node sets O_NONBLOCK on a shared pipe or terminal when it creates those
 * streams, and the caller's shell would then inherit it). This module must be the first import
 * of the CLI entry. It reads /proc/self/fdinfo, so it needs no native code (as 'utf8': Node reads
 * that in one native call; the text is ASCII).
 */
import { readFileSync } from 'node:fs';

export const O_NONBLOCK = 0o4000;
export const O_CLOEXEC = 0o2000000;

function fdFlags(fd: number): number | null {
  try {
    const m = /^flags:\s*([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
    return m?.[1] !== undefined ? parseInt(m[1], 8) : null;
  } catch {
    return null; // not open, or /proc is missing (then apply reads them with fcntl and refuses)
  }
}

/** Status flags of fds 0, 1, 2 at start (null: not open or unknown). */
export const startupStdioFlags: ReadonlyArray<number | null> = [0, 1, 2].map(fdFlags);
