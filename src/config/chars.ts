/**
 * Character classes of the ecelerity.conf language (see parser.ts for the decisions), shared by
 * the parser, which scans with them, and the printer, which must write back only what the parser
 * reads the same way. Tables indexed by the code unit, so a class test is one typed-array load.
 */

// Character classes for ASCII; anything >= 128 is a bareword character.
export const BARE = 0;
export const WS = 1;
export const NL = 2;
export const HASHC = 3; // '#'
export const DQ = 4;
export const SQ = 5;
export const DELIM = 6; // = { } [ ] ( )
export const CLASS = new Uint8Array(128);
for (const c of [9, 11, 12, 13, 32]) CLASS[c] = WS;
CLASS[10] = NL;
CLASS[35] = HASHC;
CLASS[34] = DQ;
CLASS[39] = SQ;
for (const c of '={}[]()') CLASS[c.charCodeAt(0)] = DELIM;
/** 1 for the ASCII characters that end a bareword outside lists / inside an array or hash. */
export const STOP = CLASS.map((k) => (k === BARE ? 0 : 1));
export const STOP_LIST = STOP.map((k, c) => (c === 44 ? 1 : k));

export const C_NL = 10;
export const C_SP = 32;
export const C_HASH = 35;
export const C_SLASH = 47;
export const C_STAR = 42;
export const C_BSL = 92;
export const C_COMMA = 44;
export const C_EQ = 61;
export const C_LBRACE = 123;
export const C_RBRACE = 125;
export const C_LBRACK = 91;
export const C_RBRACK = 93;
export const C_LPAREN = 40;
export const C_RPAREN = 41;
export const C_DQ = 34;
export const C_SQ = 39;

/** True if `c` (a char code) may start/continue a bareword (commas handled by the caller). */
export function isBareChar(c: number): boolean {
  return c >= 128 || CLASS[c] === BARE;
}

/** True if `text` can be written as a bareword in the given context (list: array or hash). */
export function isBareword(text: string, inList: boolean): boolean {
  if (text.length === 0) return false;
  if (text.charCodeAt(0) === C_SLASH && text.charCodeAt(1) === C_STAR) return false;
  if (text.charCodeAt(0) === 0xfeff) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128 && (CLASS[c] !== BARE || (inList && c === C_COMMA))) return false;
  }
  return true;
}
