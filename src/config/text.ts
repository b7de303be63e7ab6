/**
 * The text of a configuration file as the parser scans it: the string and its UTF-16 code units
 * in a typed array (see scanner.ts for why).
 */

/**
 * The UTF-16 code units of a text, one per element: a Uint8Array when the text is ASCII (then it
 * can be the file's bytes as read), else a Uint16Array. Only these two kinds are ever passed to the
 * parser, so its element loads stay (at most) bimorphic.
 */
export type Codes = Uint8Array | Uint16Array;

/** The code units of `text` (for texts not read by the loader: tests, tools, parseText). */
export function codesOf(text: string): Codes {
  const n = text.length;
  let ascii = true;
  for (let i = 0; i < n && ascii; i++) ascii = text.charCodeAt(i) < 128;
  const codes = ascii ? new Uint8Array(n) : new Uint16Array(n);
  for (let i = 0; i < n; i++) codes[i] = text.charCodeAt(i);
  return codes;
}

/** The text of one file with its code units, retained for the options read from it. */
export interface FileText {
  readonly file: string;
  readonly src: string;
  /** src's code units (codes[i] === src.charCodeAt(i)). */
  readonly codes: Codes;
}

/** A FileText for `src` (code units computed unless given). */
export function fileText(file: string, src: string, codes: Codes = codesOf(src)): FileText {
  return { file, src, codes };
}
