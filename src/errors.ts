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
