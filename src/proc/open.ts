/**
 * Opening a file of /proc for the readers here, with the one message a missing /proc gets.
 */
import { openSync } from 'node:fs';
import { SecwrapError } from '../errors.js';

/** open(path) read-only; `what` names what secwrap could not read, for the message. */
export function openProc(path: string, what: string): number {
  try {
    return openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SecwrapError(
      `cannot read ${what}${code === 'ENOENT' ? ': /proc is not mounted' : ''} (${path}: ${code})`,
    );
  }
}
