/**
 * The two error kinds secwrap raises on purpose. Anything else reaching the CLI is a bug and is
 * still reported as exit 125 (fail closed).
 */

/** Exit codes as coreutils chroot/env use them. */
export const EXIT_FAILURE = 125;
export const EXIT_CANNOT_EXECUTE = 126;
export const EXIT_NOT_FOUND = 127;

/** A failure of secwrap itself: the target never runs. `exitCode` is 125, 126 or 127. */
export class SecwrapError extends Error {
  override readonly name: string = 'SecwrapError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(message);
  }
}

/** A position in a configuration file (1-based line and column). */
export interface Pos {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export function formatPos(p: Pos): string {
  return `${p.file}:${p.line}:${p.col}`;
}

/** A configuration error: the message starts with `file:line:col: `. */
export class ConfigError extends SecwrapError {
  override readonly name: string = 'ConfigError';
  constructor(
    readonly pos: Pos,
    readonly detail: string,
  ) {
    super(`${formatPos(pos)}: ${detail}`);
  }
}

/** How many characters of one piece of user input a message quotes. */
export const QUOTE_MAX_CHARS = 64;

/**
 * `s` as a double-quoted string for a message: at most `max` characters of it, then how many
 * more there were; quotes, backslashes and control characters (C0, DEL, C1) escaped, so a name
 * or path from the caller can neither flood stderr nor move the terminal's cursor. Error paths
 * only: it loops by hand, so that quoting costs no RegExp.
 */
export function quoteInput(s: string, max: number = QUOTE_MAX_CHARS): string {
  const cut = s.length > max;
  let out = '"';
  for (let i = 0; i < (cut ? max : s.length); i++) {
    const c = s.charCodeAt(i);
    if (c === 34 || c === 92) out += `\\${s[i]}`;
    else if (c < 32 || (c >= 127 && c < 160)) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += s[i];
  }
  return cut ? `${out}…" (${s.length} characters)` : `${out}"`;
}

/** The longest line die() writes, in characters, however long the message. */
export const MESSAGE_MAX_CHARS = 2048;

/**
 * A message made safe for one line of stderr: line breaks and other control characters escaped,
 * and cut to MESSAGE_MAX_CHARS with the number of characters left out.
 */
export function messageLine(msg: string): string {
  const cut = msg.length > MESSAGE_MAX_CHARS;
  let out = '';
  for (let i = 0; i < (cut ? MESSAGE_MAX_CHARS : msg.length); i++) {
    const c = msg.charCodeAt(i);
    if (c === 10) out += ' ';
    else if (c === 9) out += '\t';
    else if (c < 32 || (c >= 127 && c < 160)) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += msg[i];
  }
  return cut ? `${out}… (${msg.length - MESSAGE_MAX_CHARS} more characters)` : out;
}
