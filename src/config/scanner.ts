/**
 * The lexical layer of the parser (Parser extends Scanner): the position in a file's text,
 * whitespace and comments, barewords, quoted strings, and errors at a position.
 *
 * Scans the text's UTF-16 code units held in a typed array (`Codes`: the file's bytes as read when
 * it is ASCII, the common case), because indexing a typed array is several times cheaper than
 * String.prototype.charCodeAt in V8; offsets are the same in both, so strings (names, scalars) are
 * still sliced from the text itself. Tokens are never materialised except as the final node (one
 * slice per bareword / string chunk). The scanning loops keep the position in locals and write
 * it back once. The language's decisions are listed in parser.ts.
 *
 * Parser extends Scanner rather than holding one, so the grammar reads the position from the
 * object it runs on, with no extra load; Parser is the only subclass, so the property loads of
 * the scanning methods see one kind of object.
 */
import { ConfigError } from '../errors.js';
import {
  BARE,
  CLASS,
  C_BSL,
  C_COMMA,
  C_DQ,
  C_NL,
  C_SLASH,
  C_SP,
  C_SQ,
  C_STAR,
  DQ,
  HASHC,
  NL,
  SQ,
  STOP,
  STOP_LIST,
  WS,
} from './chars.js';
import type { Codes, FileText } from './text.js';

/** Describe a character for an error message. */
export function describe(src: string, i: number): string {
  if (i >= src.length) return 'end of file';
  const c = src.charCodeAt(i);
  if (c === C_DQ || c === C_SQ) return 'a quoted string';
  if (c < 32 || c === 127) return `character U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  const cp = src.codePointAt(i) ?? c;
  return `'${String.fromCodePoint(cp)}'`;
}

/** `s` quoted (and cut if long) for an error message. */
export function quoteForMsg(s: string): string {
  const t = s.length > 60 ? `${s.slice(0, 57)}...` : s;
  return JSON.stringify(t);
}

export abstract class Scanner {
  /** The position: offset in the text, line, and offset of the line's first character. */
  protected i = 0;
  protected line = 1;
  protected lineStart = 0;
  protected readonly src: string;
  /** src's code units: all scanning reads these (see the file comment). */
  protected readonly b: Codes;
  protected readonly file: string;
  protected readonly len: number;

  constructor(protected readonly ft: FileText) {
    this.src = ft.src;
    this.b = ft.codes;
    this.file = ft.file;
    this.len = ft.src.length;
    if (this.len > 0 && this.b[0] === 0xfeff) {
      this.i = 1;
      this.lineStart = 1;
    }
  }

  protected errAt(line: number, col: number, detail: string): ConfigError {
    return new ConfigError({ file: this.file, line, col }, detail);
  }

  protected errHere(detail: string): ConfigError {
    return this.errAt(this.line, this.i - this.lineStart + 1, detail);
  }

  /** The code unit at this.i, or -1 at the end of the text. */
  protected peek(): number {
    return this.i < this.len ? this.b[this.i]! : -1;
  }

  /** Skip whitespace and comments. */
  protected skip(): void {
    const b = this.b;
    const len = this.len;
    let i = this.i;
    while (i < len) {
      const c = b[i]!;
      // a space is by far the most common character here (indentation): test it first
      if (c === C_SP) {
        i++;
        continue;
      }
      if (c >= 128) break;
      const k = CLASS[c];
      if (k === WS) {
        i++;
        continue;
      }
      if (k === NL) {
        i++;
        this.line++;
        this.lineStart = i;
        continue;
      }
      if (k === HASHC) {
        // the string's indexOf is a native search, faster than a loop for all but tiny comments
        const j = this.src.indexOf('\n', i);
        i = j < 0 ? len : j;
        continue;
      }
      if (c === C_SLASH && i + 1 < len && b[i + 1] === C_STAR) {
        i = this.blockComment(i);
        continue;
      }
      break;
    }
    this.i = i;
  }

  /** Skip the comment opened by the '/*' at `i` (counting its lines); returns the offset after it. */
  protected blockComment(i: number): number {
    const src = this.src;
    const end = src.indexOf('*/', i + 2);
    if (end < 0)
      throw this.errAt(
        this.line,
        i - this.lineStart + 1,
        "unterminated comment: '/*' without '*/'",
      );
    let n = src.indexOf('\n', i + 2);
    while (n >= 0 && n < end) {
      this.line++;
      this.lineStart = n + 1;
      n = src.indexOf('\n', n + 1);
    }
    return end + 2;
  }

  /** Offset of the end of the bareword starting at `start` (caller checked the first char). */
  protected bareEnd(start: number, inList: boolean): number {
    const b = this.b;
    const len = this.len;
    const stop = inList ? STOP_LIST : STOP;
    let i = start;
    while (i < len) {
      const c = b[i]!;
      if (c < 128 && stop[c] !== 0) break;
      i++;
    }
    return i;
  }

  /** Skip (build=false) or read a bareword starting at this.i (caller checked the first char). */
  protected bare(inList: boolean, build: boolean): string {
    const start = this.i;
    const end = this.bareEnd(start, inList);
    this.i = end;
    return build ? this.src.slice(start, end) : '';
  }

  /** Skip (build=false) or read a quoted string starting at this.i (the opening quote). */
  protected str(build: boolean): string {
    const b = this.b;
    const len = this.len;
    const q = b[this.i]!;
    const dq = q === C_DQ;
    const sl = this.line;
    const sc = this.i - this.lineStart + 1;
    let i = this.i + 1;
    let chunk = i;
    let out = '';
    for (;;) {
      if (i >= len) throw this.errAt(sl, sc, 'unterminated string');
      const c = b[i]!;
      if (c === q) {
        this.i = i + 1;
        return build ? out + this.src.slice(chunk, i) : '';
      }
      if (c === C_NL) {
        i++;
        this.line++;
        this.lineStart = i;
      } else if (c === C_BSL) {
        if (i + 1 >= len) throw this.errAt(sl, sc, 'unterminated string');
        const n = b[i + 1]!;
        if (build) {
          let rep: string | undefined;
          if (n === q || n === C_BSL) rep = n === C_BSL ? '\\' : dq ? '"' : "'";
          else if (dq) {
            if (n === 110) rep = '\n';
            else if (n === 114) rep = '\r';
            else if (n === 116) rep = '\t';
          }
          if (rep !== undefined) {
            out += this.src.slice(chunk, i) + rep;
            chunk = i + 2;
          }
        }
        // any pair (translated or kept verbatim) is consumed whole
        i += 2;
        if (n === C_NL) {
          this.line++;
          this.lineStart = i;
        }
      } else {
        i++;
      }
    }
  }

  /** True if the char at this.i starts a scalar. */
  protected atScalar(inList: boolean): boolean {
    if (this.i >= this.len) return false;
    const c = this.b[this.i]!;
    if (c >= 128) return true;
    const k = CLASS[c];
    if (k === DQ || k === SQ) return true;
    return k === BARE && !(inList && c === C_COMMA);
  }
}
