/**
 * Momentum's global options that secwrap applies besides the `security` scope. Only one:
 * `server_max_file_descriptors`, the file-descriptor limit Momentum sets for itself at start-up
 * while still root (a global option; Momentum's default 3,000,000). Once secwrap has dropped
 * root the command can no longer raise its hard limit, so secwrap sets it before the drop.
 */
import { isAsciiDigits } from '../digits.js';
import { ConfigError, quoteInput, type Pos } from '../errors.js';
import { posOf, type ConfigDocument } from './model.js';

/** Momentum's documented default for server_max_file_descriptors. */
export const MOMENTUM_MAX_FILE_DESCRIPTORS = 3_000_000;

export interface GlobalSetting<T> {
  value: T;
  source: Pos;
}

/**
 * `server_max_file_descriptors` at the global scope (name in any case), or null when unset. The
 * value must be a plain decimal integer above 0 (checked by hand: no RegExp on the run path).
 */
export function serverMaxFileDescriptors(doc: ConfigDocument): GlobalSetting<number> | null {
  const opt = doc.root.options.get('server_max_file_descriptors');
  if (opt === undefined) return null;
  const v = opt.value;
  const at = posOf(v);
  if (v.kind !== 'scalar')
    throw new ConfigError(
      at,
      `server_max_file_descriptors must be a single number, not a ${v.kind === 'array' ? 'list' : 'hash'}`,
    );
  const t = v.text;
  if (t.length > 15 || t.charCodeAt(0) === 48 || !isAsciiDigits(t))
    throw new ConfigError(
      at,
      `server_max_file_descriptors must be a whole number above 0 (plain decimal), got ${quoteInput(t, 40)}`,
    );
  return { value: Number(t), source: at };
}
