/**
 * Hand-rolled single-pass lexer + recursive-descent parser for the ecelerity.conf language.
 *
 * Works directly on the string with charCodeAt; tokens are never materialised except as the
 * final node (one slice per bareword / string chunk). Recursion happens only per nesting level
 * and nesting is bounded (limits.ts), so hostile input cannot overflow the JS stack.
 *
 * Decisions (see /work/shared/reference/ecelerity-conf.md and the module report):
 * - Whitespace: space, \t, \n, \r, \v, \f. Lines end at \n. Columns count UTF-16 code units.
 * - A leading U+FEFF (BOM) is skipped.
 * - `#` starts a comment to end of line (outside strings). `/*` opens a comment only at the start
 *   of a token; barewords may contain `/` and even `/*`. Comments do not nest.
 * - Bareword = run of characters other than whitespace and `# " ' = { } [ ] ( )`. Inside an
 *   array or hash a `,` also ends a bareword and separates items (one comma after an item; a
 *   trailing comma before the closing bracket is accepted).
 * - Statement names are barewords (never quoted). `include`/`readonly_include` (any case)
 *   followed by a string or bareword is an include; the path may not be empty.
 * - `name [ ... ]` == `name = [ ... ]`; `name = { ... }` == `name { ... }`.
 * - Double-quoted strings translate \" \\ \n \r \t; any other backslash pair is kept verbatim.
 *   Single-quoted strings translate \' and \\ only. Strings may span lines.
 */
import { ConfigError } from '../errors.js';
import { DEFAULT_LIMITS, type Limits } from './limits.js';
import type {
  ArrayValue,
  HashEntry,
  HashValue,
  IncludeStmt,
  OptionStmt,
  ParsedFile,
  Scalar,
  ScopeStmt,
  Stmt,
  Value,
} from './model.js';

// Character classes for ASCII; anything >= 128 is a bareword character.
const BARE = 0;
const WS = 1;
const NL = 2;
const HASHC = 3; // '#'
const DQ = 4;
const SQ = 5;
const DELIM = 6; // = { } [ ] ( )
const CLASS = new Uint8Array(128);
for (const c of [9, 11, 12, 13, 32]) CLASS[c] = WS;
CLASS[10] = NL;
CLASS[35] = HASHC;
CLASS[34] = DQ;
CLASS[39] = SQ;
for (const c of '={}[]()') CLASS[c.charCodeAt(0)] = DELIM;

const C_NL = 10;
const C_HASH = 35;
const C_SLASH = 47;
const C_STAR = 42;
const C_BSL = 92;
const C_COMMA = 44;
const C_EQ = 61;
const C_LBRACE = 123;
const C_RBRACE = 125;
const C_LBRACK = 91;
const C_RBRACK = 93;
const C_LPAREN = 40;
const C_RPAREN = 41;
const C_DQ = 34;
const C_SQ = 39;

/** True if `c` (a char code) may start/continue a bareword (commas handled by the caller). */
export function isBareChar(c: number): boolean {
  return c >= 128 || CLASS[c] === BARE;
}

/** Shared counters for one load (node budget). */
export interface ParseBudget {
  nodes: number;
}

export interface ParseOptions {
  /** Nesting depth of the scope the text is parsed into (include inside a scope). */
  baseDepth?: number;
  limits?: Limits;
  budget?: ParseBudget;
}

/** Describe a character for an error message. */
function describe(src: string, i: number): string {
  if (i >= src.length) return 'end of file';
  const c = src.charCodeAt(i);
  if (c === C_DQ || c === C_SQ) return 'a quoted string';
  if (c < 32 || c === 127) return `character U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  const cp = src.codePointAt(i) ?? c;
  return `'${String.fromCodePoint(cp)}'`;
}

function quoteForMsg(s: string): string {
  const t = s.length > 60 ? `${s.slice(0, 57)}...` : s;
  return JSON.stringify(t);
}

class Parser {
  private i = 0;
  private line = 1;
  private lineStart = 0;
  private readonly len: number;
  private readonly maxNesting: number;
  private readonly maxNodes: number;
  private readonly budget: ParseBudget;

  constructor(
    private readonly src: string,
    private readonly file: string,
    opts: ParseOptions,
  ) {
    this.len = src.length;
    const limits = opts.limits ?? DEFAULT_LIMITS;
    this.maxNesting = limits.maxNesting;
    this.maxNodes = limits.maxNodes;
    this.budget = opts.budget ?? { nodes: 0 };
    if (this.len > 0 && src.charCodeAt(0) === 0xfeff) {
      this.i = 1;
      this.lineStart = 1;
    }
  }

  // ---- errors -------------------------------------------------------------------------------

  private errAt(line: number, col: number, detail: string): ConfigError {
    return new ConfigError({ file: this.file, line, col }, detail);
  }

  private errHere(detail: string): ConfigError {
    return this.errAt(this.line, this.i - this.lineStart + 1, detail);
  }

  private count(line: number, col: number): void {
    if (++this.budget.nodes > this.maxNodes) {
      throw this.errAt(
        line,
        col,
        `configuration too large: more than ${this.maxNodes} statements and values`,
      );
    }
  }

  private checkDepth(depth: number, line: number, col: number, what: string): void {
    if (depth > this.maxNesting) {
      throw this.errAt(line, col, `${what} nested too deeply (maximum nesting depth is ${this.maxNesting})`);
    }
  }

  // ---- lexing helpers -----------------------------------------------------------------------

  /** Skip whitespace and comments. */
  private skip(): void {
    const src = this.src;
    const len = this.len;
    let i = this.i;
    while (i < len) {
      const c = src.charCodeAt(i);
      if (c < 128) {
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
          const j = src.indexOf('\n', i);
          i = j < 0 ? len : j;
          continue;
        }
        if (c === C_SLASH && i + 1 < len && src.charCodeAt(i + 1) === C_STAR) {
          const sl = this.line;
          const sc = i - this.lineStart + 1;
          const end = src.indexOf('*/', i + 2);
          if (end < 0) throw this.errAt(sl, sc, "unterminated comment: '/*' without '*/'");
          let n = src.indexOf('\n', i + 2);
          while (n >= 0 && n < end) {
            this.line++;
            this.lineStart = n + 1;
            n = src.indexOf('\n', n + 1);
          }
          i = end + 2;
          continue;
        }
      }
      break;
    }
    this.i = i;
  }

  /** Read a bareword starting at this.i (caller checked the first char). */
  private bare(inList: boolean): string {
    const src = this.src;
    const len = this.len;
    const start = this.i;
    let i = start;
    while (i < len) {
      const c = src.charCodeAt(i);
      if (c < 128 && (CLASS[c] !== BARE || (inList && c === C_COMMA))) break;
      i++;
    }
    this.i = i;
    return src.slice(start, i);
  }

  /** Read a quoted string starting at this.i (which is the opening quote). */
  private str(): string {
    const src = this.src;
    const len = this.len;
    const q = src.charCodeAt(this.i);
    const dq = q === C_DQ;
    const sl = this.line;
    const sc = this.i - this.lineStart + 1;
    let i = this.i + 1;
    let chunk = i;
    let out = '';
    for (;;) {
      if (i >= len) throw this.errAt(sl, sc, 'unterminated string');
      const c = src.charCodeAt(i);
      if (c === q) {
        this.i = i + 1;
        return out + src.slice(chunk, i);
      }
      if (c === C_NL) {
        i++;
        this.line++;
        this.lineStart = i;
      } else if (c === C_BSL) {
        if (i + 1 >= len) throw this.errAt(sl, sc, 'unterminated string');
        const n = src.charCodeAt(i + 1);
        let rep: string | undefined;
        if (n === q || n === C_BSL) rep = n === C_BSL ? '\\' : dq ? '"' : "'";
        else if (dq) {
          if (n === 110) rep = '\n';
          else if (n === 114) rep = '\r';
          else if (n === 116) rep = '\t';
        }
        if (rep !== undefined) {
          out += src.slice(chunk, i) + rep;
          i += 2;
          chunk = i;
        } else {
          // kept verbatim (both characters)
          i += 2;
          if (n === C_NL) {
            this.line++;
            this.lineStart = i;
          }
        }
      } else {
        i++;
      }
    }
  }

  private scalar(inList: boolean): Scalar {
    const line = this.line;
    const col = this.i - this.lineStart + 1;
    this.count(line, col);
    const c = this.src.charCodeAt(this.i);
    if (c === C_DQ || c === C_SQ) {
      const text = this.str();
      return { kind: 'scalar', text, quoted: true, file: this.file, line, col };
    }
    const text = this.bare(inList);
    return { kind: 'scalar', text, quoted: false, file: this.file, line, col };
  }

  /** True if the char at this.i starts a scalar. */
  private atScalar(inList: boolean): boolean {
    if (this.i >= this.len) return false;
    const c = this.src.charCodeAt(this.i);
    if (c >= 128) return true;
    const k = CLASS[c];
    if (k === DQ || k === SQ) return true;
    return k === BARE && !(inList && c === C_COMMA);
  }

  // ---- grammar ------------------------------------------------------------------------------

  /** A value at this.i (after skip); undefined if none starts here. */
  private value(depth: number, inList: boolean): Value | undefined {
    if (this.i >= this.len) return undefined;
    const c = this.src.charCodeAt(this.i);
    if (c === C_LPAREN) return this.array(depth + 1);
    if (c === C_LBRACK) return this.hash(depth + 1);
    if (this.atScalar(inList)) return this.scalar(inList);
    return undefined;
  }

  private array(depth: number): ArrayValue {
    const line = this.line;
    const col = this.i - this.lineStart + 1;
    this.checkDepth(depth, line, col, 'array');
    this.count(line, col);
    this.i++; // (
    const items: Value[] = [];
    for (;;) {
      this.skip();
      if (this.i >= this.len) {
        throw this.errHere(`expected ')' to close the array opened at line ${line}, column ${col}`);
      }
      const c = this.src.charCodeAt(this.i);
      if (c === C_RPAREN) {
        this.i++;
        break;
      }
      const v = this.value(depth, true);
      if (v === undefined) {
        if (c === C_COMMA) throw this.errHere("unexpected ',' in array: a comma must follow an item");
        throw this.errHere(`expected a value or ')' in array, found ${describe(this.src, this.i)}`);
      }
      items.push(v);
      this.skip();
      if (this.i < this.len && this.src.charCodeAt(this.i) === C_COMMA) this.i++;
    }
    return { kind: 'array', items, file: this.file, line, col };
  }

  private hash(depth: number): HashValue {
    const line = this.line;
    const col = this.i - this.lineStart + 1;
    this.checkDepth(depth, line, col, 'hash');
    this.count(line, col);
    this.i++; // [
    const entries: HashEntry[] = [];
    for (;;) {
      this.skip();
      if (this.i >= this.len) {
        throw this.errHere(`expected ']' to close the hash opened at line ${line}, column ${col}`);
      }
      const c = this.src.charCodeAt(this.i);
      if (c === C_RBRACK) {
        this.i++;
        break;
      }
      if (!this.atScalar(true)) {
        if (c === C_COMMA) throw this.errHere("unexpected ',' in hash: a comma must follow an entry");
        throw this.errHere(`expected a key or ']' in hash, found ${describe(this.src, this.i)}`);
      }
      const key = this.scalar(true);
      this.skip();
      if (this.i >= this.len || this.src.charCodeAt(this.i) !== C_EQ) {
        throw this.errHere(
          `expected '=' after hash key ${quoteForMsg(key.text)}, found ${describe(this.src, this.i)}`,
        );
      }
      this.i++;
      this.skip();
      const v = this.value(depth, true);
      if (v === undefined) {
        throw this.errHere(
          `expected a value after '=' for hash key ${quoteForMsg(key.text)}, found ${describe(this.src, this.i)}`,
        );
      }
      entries.push({ key, value: v });
      this.skip();
      if (this.i < this.len && this.src.charCodeAt(this.i) === C_COMMA) this.i++;
    }
    return { kind: 'hash', entries, file: this.file, line, col };
  }

  /**
   * Statements until '}' (if `open` is given) or end of text. `depth` is the nesting depth of
   * the scope whose body this is (0 = global).
   */
  body(depth: number, open?: { name: string; line: number; col: number }): Stmt[] {
    const out: Stmt[] = [];
    const src = this.src;
    for (;;) {
      this.skip();
      if (this.i >= this.len) {
        if (open) {
          throw this.errHere(
            `expected '}' to close scope ${quoteForMsg(open.name)} opened at line ${open.line}, column ${open.col}`,
          );
        }
        return out;
      }
      const c = src.charCodeAt(this.i);
      if (c === C_RBRACE) {
        if (open) {
          this.i++;
          return out;
        }
        throw this.errHere("unexpected '}' (no scope is open)");
      }
      if (!(c >= 128 || CLASS[c] === BARE)) {
        throw this.errHere(`expected an option or scope name, found ${describe(src, this.i)}`);
      }
      const line = this.line;
      const col = this.i - this.lineStart + 1;
      this.count(line, col);
      const name = this.bare(false);
      const nl = name.length;
      if ((nl === 7 || nl === 16) && (name.toLowerCase() === 'include' || name.toLowerCase() === 'readonly_include')) {
        this.skip();
        if (!this.atScalar(false)) {
          throw this.errHere(`expected a path after ${name}, found ${describe(src, this.i)}`);
        }
        const path = this.scalar(false);
        if (path.text === '') throw this.errAt(path.line, path.col, `empty path after ${name}`);
        const st: IncludeStmt = {
          kind: 'include',
          readonly: nl === 16,
          path,
          file: this.file,
          line,
          col,
        };
        out.push(st);
        continue;
      }
      this.skip();
      const n = this.i < this.len ? src.charCodeAt(this.i) : -1;
      if (n === C_EQ) {
        this.i++;
        this.skip();
        if (this.i < this.len && src.charCodeAt(this.i) === C_LBRACE) {
          out.push(this.scope(name, undefined, depth + 1, line, col));
          continue;
        }
        const v = this.value(depth, false);
        if (v === undefined) {
          throw this.errHere(
            `expected a value after '=' for ${quoteForMsg(name)}, found ${describe(src, this.i)}`,
          );
        }
        const st: OptionStmt = { kind: 'option', name, value: v, file: this.file, line, col };
        out.push(st);
      } else if (n === C_LBRACE) {
        out.push(this.scope(name, undefined, depth + 1, line, col));
      } else if (n === C_LBRACK) {
        const v = this.hash(depth + 1);
        const st: OptionStmt = { kind: 'option', name, value: v, file: this.file, line, col };
        out.push(st);
      } else if (n >= 0 && this.atScalar(false)) {
        const inst = this.scalar(false);
        this.skip();
        if (this.i >= this.len || src.charCodeAt(this.i) !== C_LBRACE) {
          throw this.errHere(
            `expected '{' after scope instance ${quoteForMsg(inst.text)} of ${quoteForMsg(name)}, found ${describe(src, this.i)}`,
          );
        }
        out.push(this.scope(name, inst, depth + 1, line, col));
      } else {
        throw this.errHere(`expected '=' or '{' after name ${quoteForMsg(name)}, found ${describe(src, this.i)}`);
      }
    }
  }

  /** this.i is at '{'. */
  private scope(name: string, instance: Scalar | undefined, depth: number, line: number, col: number): ScopeStmt {
    this.checkDepth(depth, this.line, this.i - this.lineStart + 1, 'scope');
    this.i++;
    const body = this.body(depth, { name, line, col });
    return instance === undefined
      ? { kind: 'scope', name, body, file: this.file, line, col }
      : { kind: 'scope', name, instance, body, file: this.file, line, col };
  }
}

/** Parse one text (no includes followed). Throws ConfigError. */
export function parseInternal(text: string, file: string, opts: ParseOptions = {}): ParsedFile {
  const p = new Parser(text, file, opts);
  return { file, body: p.body(opts.baseDepth ?? 0) };
}

/** Parse one text (no includes followed); for tests, fuzzing and the benchmark. */
export function parseText(text: string, file: string): ParsedFile {
  return parseInternal(text, file);
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
