/**
 * `secwrap caps [--json] [--] TEXT...`: one line per TEXT, in order.
 *   --json: {"text":TEXT,"effective":HEX,"inheritable":HEX,"permitted":HEX} or
 *           {"text":TEXT,"error":MESSAGE}; HEX is 16 lower-case hex digits.
 *   plain:  TEXT  ->  CANONICAL  [e: NAMES; i: NAMES; p: NAMES]   (NAMES "-" when empty)
 *           TEXT: error: MESSAGE
 * In plain output an empty TEXT or one with control characters is shown JSON-quoted, so one
 * TEXT is always one visible line. An error line quotes at most ERROR_TEXT_MAX characters of its
 * TEXT (the message quotes the clause, bounded too): an invalid TEXT of any size gives a short line.
 */
import { CapTextError, capFromText, capToText, maskToHex, maskToNames } from './text.js';
import { capLastCap } from './table.js';
import { quoteInput } from '../errors.js';

const ERROR_TEXT_MAX = 256;

function shown(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text === '' || /[\u0000-\u001f\u007f]/.test(text) ? JSON.stringify(text) : text;
}

function names(mask: bigint): string {
  const n = maskToNames(mask);
  return n.length > 0 ? n.join(',') : '-';
}

export function capsReport(texts: string[], json: boolean): { lines: string[]; ok: boolean } {
  const lastCap = capLastCap();
  const lines: string[] = [];
  let ok = true;
  for (const text of texts) {
    try {
      const s = capFromText(text, lastCap);
      if (json) {
        lines.push(
          JSON.stringify({
            text,
            effective: maskToHex(s.effective),
            inheritable: maskToHex(s.inheritable),
            permitted: maskToHex(s.permitted),
          }),
        );
      } else {
        lines.push(
          `${shown(text)}  ->  ${capToText(s, lastCap)}  ` +
            `[e: ${names(s.effective)}; i: ${names(s.inheritable)}; p: ${names(s.permitted)}]`,
        );
      }
    } catch (err) {
      if (!(err instanceof CapTextError)) throw err;
      ok = false;
      lines.push(
        json
          ? JSON.stringify({ text, error: err.message })
          : `${text.length > ERROR_TEXT_MAX ? quoteInput(text, ERROR_TEXT_MAX) : shown(text)}: error: ${err.message}`,
      );
    }
  }
  return { lines, ok };
}
