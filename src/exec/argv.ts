/**
 * The command's arguments byte for byte. Node hands argv to JavaScript decoded as UTF-8, so
 * bytes that are not UTF-8 (a Latin-1 file name, say) arrive as U+FFFD, and re-encoding them
 * would run the command on other bytes than the caller gave (setpriv, gosu and su-exec pass
 * argv through untouched). Valid UTF-8 decodes and re-encodes to the same bytes, so only an
 * argument that contains U+FFFD can have lost anything; then the original bytes come from the
 * kernel's copy of argv, /proc/self/cmdline (NUL-separated). The command is always the tail of
 * secwrap's own argv (after `--` or the first non-option), so its N arguments are the last N
 * entries there; each must decode to the string Node gave us, else the copy was not the original
 * (rewritten argv) and secwrap refuses.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { SecwrapError } from '../errors.js';

/** The entries of a /proc/PID/cmdline text (each NUL-terminated), without their NULs. */
export function splitCmdline(raw: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = raw.indexOf(0); i >= 0; i = raw.indexOf(0, start)) {
    out.push(raw.subarray(start, i));
    start = i + 1;
  }
  if (start < raw.length) out.push(raw.subarray(start)); // no final NUL: the last entry still counts
  return out;
}

/** `command` (as Node decoded it) as the bytes the caller passed, from a cmdline text. */
export function commandBytes(command: readonly string[], cmdline: Buffer): Buffer[] {
  const all = splitCmdline(cmdline);
  if (all.length < command.length) {
    throw new SecwrapError(
      `/proc/self/cmdline has ${all.length} arguments, fewer than the command's ${command.length}`,
    );
  }
  const tail = all.slice(all.length - command.length);
  tail.forEach((b, i) => {
    if (b.toString('utf8') !== command[i]) {
      throw new SecwrapError(
        `argument ${i} of the command differs in /proc/self/cmdline: secwrap's argv was rewritten`,
      );
    }
  });
  return tail;
}

/**
 * The whole of /proc/self/cmdline. open/read/close into one buffer (readFileSync would fstat, find
 * size 0 and read through a 64 KiB buffer: ≈ 0.1 ms more at every start).
 */
function readCmdline(): Buffer {
  const fd = openSync('/proc/self/cmdline', 'r');
  try {
    let buf = Buffer.allocUnsafe(4096);
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, n);
        buf = bigger;
      }
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) return buf.subarray(0, n);
      n += got;
    }
  } finally {
    closeSync(fd);
  }
}

/** This process's command as raw bytes (see the top). */
export function ownCommandBytes(command: readonly string[]): Buffer[] {
  if (!command.some((a) => a.includes('\uFFFD'))) return command.map((a) => Buffer.from(a, 'utf8'));
  let raw: Buffer;
  try {
    raw = readCmdline();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SecwrapError(
      `cannot read the command's arguments${code === 'ENOENT' ? ': /proc is not mounted' : ''} (/proc/self/cmdline: ${code ?? String(e)})`,
    );
  }
  return commandBytes(command, raw);
}
