/**
 * The state of the standard descriptors when secwrap started, captured before anything can touch
 * process.stdout/stdin (Node sets O_NONBLOCK on a shared pipe or terminal when it creates those
 * streams, and the caller's shell would then inherit it). This module must be the first import
 * of the CLI entry. It reads /proc/self/fdinfo, so it needs no native code. One buffer for the
 * three files and open/read/close only (readFileSync would add an fstat and a second read per
 * file): this runs at every start.
 */
import { closeSync, openSync, readSync } from 'node:fs';

export const O_NONBLOCK = 0o4000;
export const O_CLOEXEC = 0o2000000;

const buf = Buffer.alloc(512); // fdinfo of 0 1 2: pos, flags, mnt_id, ino (a terminal or a pipe)

/** The octal `flags:` field of an fdinfo text (its second line), or null. */
export function fdinfoFlags(text: string): number | null {
  const at = text.indexOf('\nflags:');
  if (at < 0) return null;
  let i = at + 7;
  while (text[i] === '\t' || text[i] === ' ') i++;
  let v = 0;
  let digits = 0;
  for (; i < text.length; i++, digits++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 7) break;
    v = v * 8 + d;
  }
  return digits > 0 && (i === text.length || text[i] === '\n') ? v : null;
}

function fdFlags(fd: number): number | null {
  let f: number;
  try {
    f = openSync(`/proc/self/fdinfo/${fd}`, 'r');
  } catch {
    return null; // not open, or /proc is missing (then apply reads them with fcntl and refuses)
  }
  try {
    const n = readSync(f, buf, 0, buf.length, 0);
    return fdinfoFlags('\n' + buf.toString('latin1', 0, n));
  } catch {
    return null;
  } finally {
    closeSync(f);
  }
}

/** Status flags of fds 0, 1, 2 at start (null: not open or unknown). */
export const startupStdioFlags: ReadonlyArray<number | null> = [fdFlags(0), fdFlags(1), fdFlags(2)];
