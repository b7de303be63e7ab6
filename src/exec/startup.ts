/**
 * The status flags of the standard descriptors as secwrap found them. Node makes a shared pipe or
 * terminal non-blocking (O_NONBLOCK) when it creates process.stdin, process.stdout or
 * process.stderr, and the caller's shell would inherit that; the hand-off puts the flags back.
 * Those three are lazy getters on `process`. This module, the first import of the CLI entry,
 * wraps each: the first access reads the flags of 0 1 2 from /proc/self/fdinfo, *then* lets Node
 * create the stream. The run path writes with fs.writeSync and never creates them, so usually
 * nothing is read (three open/read/close cost ≈ 0.3 ms at every start): when no stream was
 * created, the flags the hand-off finds are the ones secwrap started with. /proc/self/fdinfo needs
 * no native code; one buffer for the three files and open/read/close only.
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

let captured: ReadonlyArray<number | null> | undefined;

function capture(): void {
  captured ??= [fdFlags(0), fdFlags(1), fdFlags(2)];
}

for (const name of ['stdin', 'stdout', 'stderr'] as const) {
  const own = Object.getOwnPropertyDescriptor(process, name);
  const get = own?.get;
  if (own === undefined || get === undefined || !own.configurable) {
    capture(); // not the lazy getter this relies on: read the flags now
    continue;
  }
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: own.enumerable,
    get() {
      capture();
      Object.defineProperty(process, name, own);
      return get.call(process);
    },
  });
}

/**
 * Status flags of fds 0, 1, 2 as found at start (null: not open or unknown), read before Node
 * created any stdio stream; undefined when none was created, so the current flags are those.
 */
export function startupStdioFlags(): ReadonlyArray<number | null> | undefined {
  return captured;
}
