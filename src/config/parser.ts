/**
 * Hand-rolled single-pass recursive-descent parser for the ecelerity.conf language, over the
 * lexical layer of scanner.ts. Recursion happens only per nesting level and nesting is bounded
 * (limits.ts), so hostile input cannot overflow the JS stack.
 *
 * Decisions (docs/config-language.md):
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
import {
  BARE,
  CLASS,
  C_COMMA,
  C_DQ,
  C_EQ,
  C_LBRACE,
  C_LBRACK,
  C_LPAREN,
  C_RBRACE,
  C_RBRACK,
  C_RPAREN,
  C_SQ,
  STOP,
} from './chars.js';
import { DEFAULT_LIMITS, type Limits } from './limits.js';
import {
  hashCodes,
  hashFinish,
  hashStep,
  hashString,
  NameTable,
  READONLY_INCLUDE,
  type NameEntry,
} from './names.js';
import type { ScopeNode } from './scope.js';
import { describe, quoteForMsg, Scanner } from './scanner.js';
import { fileText, type FileText } from './text.js';
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

/** Shared counters for one load (node budget). */
export interface ParseBudget {
  nodes: number;
  /** Scopes opened (a reopened scope counts again). Optional: starts at 0 when absent. */
  scopes?: number;
}

export interface ParseOptions {
  /** Nesting depth of the scope the text is parsed into (include inside a scope). */
  baseDepth?: number;
  limits?: Limits;
  budget?: ParseBudget;
  /** Interned names of one load (shared by all its files). */
  names?: NameTable;
}

/** Called (merge mode) for each include statement, in document order. */
export type IncludeHandler = (st: IncludeStmt, scope: ScopeNode, depth: number) => void;

/** Marker returned by the value scanners when not building (merge mode). */
const SCANNED = {
  kind: 'scalar',
  text: '',
  quoted: false,
  file: '',
  line: 0,
  col: 0,
} as const satisfies Scalar;

const NO_ITEMS: Value[] = [];
const NO_ENTRIES: HashEntry[] = [];
const SCANNED_ARRAY: ArrayValue = { kind: 'array', items: NO_ITEMS, file: '', line: 0, col: 0 };
const SCANNED_HASH: HashValue = { kind: 'hash', entries: NO_ENTRIES, file: '', line: 0, col: 0 };

export class Parser extends Scanner {
  private readonly maxNesting: number;
  private readonly maxNodes: number;
  private readonly maxScopes: number;
  private readonly maxNames: number;
  private readonly budget: ParseBudget;
  private readonly names: NameTable;
  /** Index of `ft` in the target tree's OptionStore (merge mode), -1 until the first option. */
  private fileIdx = -1;
  /** Merge mode: receives include statements. */
  onInclude: IncludeHandler | undefined = undefined;

  constructor(ft: FileText, opts: ParseOptions) {
    super(ft);
    const limits = opts.limits ?? DEFAULT_LIMITS;
    this.maxNesting = limits.maxNesting;
    this.maxNodes = limits.maxNodes;
    this.maxScopes = limits.maxScopes;
    this.maxNames = limits.maxNames;
    this.budget = opts.budget ?? { nodes: 0 };
    this.names = opts.names ?? new NameTable();
  }

  // ---- bounds -------------------------------------------------------------------------------

  /** A scope costs far more memory than a statement (see limits.ts): it has its own bound. */
  private countScope(line: number, col: number): void {
    const n = (this.budget.scopes ?? 0) + 1;
    this.budget.scopes = n;
    if (n > this.maxScopes) {
      throw this.errAt(line, col, `configuration too large: more than ${this.maxScopes} scopes`);
    }
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
      throw this.errAt(
        line,
        col,
        `${what} nested too deeply (maximum nesting depth is ${this.maxNesting})`,
      );
    }
  }

  // ---- scalars ------------------------------------------------------------------------------

  private scalar(inList: boolean, build: boolean): Scalar {
    const line = this.line;
    const col = this.i - this.lineStart + 1;
    this.count(line, col);
    const c = this.b[this.i]!;
    const quoted = c === C_DQ || c === C_SQ;
    const text = quoted ? this.str(build) : this.bare(inList, build);
    return build ? { kind: 'scalar', text, quoted, file: this.file, line, col } : SCANNED;
  }

  /** Like scalar(inList, true) but returns only the text (no Scalar object). */
  private scalarText(inList: boolean): string {
    this.count(this.line, this.i - this.lineStart + 1);
    const c = this.b[this.i]!;
    return c === C_DQ || c === C_SQ ? this.str(true) : this.bare(inList, true);
  }

  /**
   * Hash (hashString) of the scalar text `text` just read from src[start, this.i). Escapes turn two
   * source characters into one, so a text exactly as long as its source span (less the quotes) is
   * that span verbatim and is hashed in place from the code units, without charCodeAt.
   */
  private textHash(text: string, start: number, quoted: boolean): number {
    const from = quoted ? start + 1 : start;
    const to = quoted ? this.i - 1 : this.i;
    return text.length === to - from ? hashCodes(this.b, from, to) : hashString(text);
  }

  // ---- grammar ------------------------------------------------------------------------------

  /** A value at this.i (after skip); undefined if none starts here. SCANNED if !build. */
  private value(depth: number, inList: boolean, build: boolean): Value | undefined {
    if (this.i >= this.len) return undefined;
    const c = this.b[this.i]!;
    if (c === C_LPAREN) return this.array(depth + 1, build);
    if (c === C_LBRACK) return this.hash(depth + 1, build);
    if (this.atScalar(inList)) return this.scalar(inList, build);
    return undefined;
  }

  /** Materialise the (already validated) option value starting at `start` (see decodeValue). */
  valueAt(start: number, line: number, lineStart: number): Value {
    this.i = start;
    this.line = line;
    this.lineStart = lineStart;
    const v = this.value(0, false, true);
    if (v === undefined) throw this.errHere('internal error: no value to materialise');
    return v;
  }

  private array(depth: number, build: boolean): ArrayValue {
    const line = this.line;
    const col = this.i - this.lineStart + 1;
    this.checkDepth(depth, line, col, 'array');
    this.count(line, col);
    this.i++; // (
    const items: Value[] = build ? [] : NO_ITEMS;
    for (;;) {
      this.skip();
      if (this.i >= this.len) {
        throw this.errHere(`expected ')' to close the array opened at line ${line}, column ${col}`);
      }
      const c = this.b[this.i]!;
      if (c === C_RPAREN) {
        this.i++;
        break;
      }
      const v = this.value(depth, true, build);
      if (v === undefined) {
        if (c === C_COMMA)
          throw this.errHere("unexpected ',' in array: a comma must follow an item");
        throw this.errHere(`expected a value or ')' in array, found ${describe(this.src, this.i)}`);
      }
      if (build) items.push(v);
      this.skip();
      if (this.peek() === C_COMMA) this.i++;
    }
    return build ? { kind: 'array', items, file: this.file, line, col } : SCANNED_ARRAY;
  }

  private hash(depth: number, build: boolean): HashValue {
    const line = this.line;
    const col = this.i - this.lineStart + 1;
    this.checkDepth(depth, line, col, 'hash');
    this.count(line, col);
    this.i++; // [
    const entries: HashEntry[] = build ? [] : NO_ENTRIES;
    for (;;) {
      this.skip();
      if (this.i >= this.len) {
        throw this.errHere(`expected ']' to close the hash opened at line ${line}, column ${col}`);
      }
      const c = this.b[this.i]!;
      if (c === C_RBRACK) {
        this.i++;
        break;
      }
      if (!this.atScalar(true)) {
        if (c === C_COMMA)
          throw this.errHere("unexpected ',' in hash: a comma must follow an entry");
        throw this.errHere(`expected a key or ']' in hash, found ${describe(this.src, this.i)}`);
      }
      // Keys are built only when building; error messages re-read the key text (keyText).
      const keyStart = this.i;
      const key = this.scalar(true, build);
      this.skip();
      if (this.peek() !== C_EQ) {
        throw this.errHere(
          `expected '=' after hash key ${quoteForMsg(this.keyText(keyStart))}, found ${describe(this.src, this.i)}`,
        );
      }
      this.i++;
      this.skip();
      const v = this.value(depth, true, build);
      if (v === undefined) {
        throw this.errHere(
          `expected a value after '=' for hash key ${quoteForMsg(this.keyText(keyStart))}, found ${describe(this.src, this.i)}`,
        );
      }
      if (build) entries.push({ key, value: v });
      this.skip();
      if (this.peek() === C_COMMA) this.i++;
    }
    return build ? { kind: 'hash', entries, file: this.file, line, col } : SCANNED_HASH;
  }

  /** The text of the hash key (a scalar) starting at `start` (for error messages). */
  private keyText(start: number): string {
    const p = new Parser(this.ft, {});
    p.i = start;
    return p.scalar(true, true).text;
  }

  /** Scan a statement name at this.i (caller checked the first char) and intern it. */
  private name(): NameEntry {
    const b = this.b;
    const len = this.len;
    const start = this.i;
    let i = start;
    let h = 0;
    while (i < len) {
      const c = b[i]!;
      if (c < 128 && STOP[c] !== 0) break;
      h = hashStep(h, c);
      i++;
    }
    this.i = i;
    const e = this.names.lookup(this.src, b, start, i, hashFinish(h));
    if (this.names.count > this.maxNames) {
      throw this.errAt(
        this.line,
        start - this.lineStart + 1,
        `configuration too large: more than ${this.maxNames} different option and scope names`,
      );
    }
    return e;
  }

  /**
   * Statements until '}' (if `openName` is given: the scope opened by that name at openLine,
   * openCol) or end of text. `depth` is the nesting depth of the scope whose body this is
   * (0 = global). With `target` (merge mode) statements are merged into it as they are read,
   * includes go to `onInclude`, and the returned list is empty.
   */
  body(
    depth: number,
    openName: string | undefined,
    openLine: number,
    openCol: number,
    target: ScopeNode | undefined,
  ): Stmt[] {
    const out: Stmt[] = [];
    const b = this.b;
    for (;;) {
      this.skip();
      if (this.i >= this.len) {
        if (openName !== undefined) {
          throw this.errHere(
            `expected '}' to close scope ${quoteForMsg(openName)} opened at line ${openLine}, column ${openCol}`,
          );
        }
        return out;
      }
      const c = b[this.i]!;
      if (c === C_RBRACE) {
        if (openName !== undefined) {
          this.i++;
          return out;
        }
        throw this.errHere("unexpected '}' (no scope is open)");
      }
      if (!(c >= 128 || CLASS[c] === BARE)) {
        throw this.errHere(`expected an option or scope name, found ${describe(this.src, this.i)}`);
      }
      this.statement(depth, out, target);
    }
  }

  // The statement steps below read one statement of the body at `depth`: build mode (`target`
  // undefined) appends it to `out`, merge mode merges it into `target`. `nm`, `line` and `col`
  // are the statement's name and position.

  /** One statement, from its name (this.i at its first character) to its end. */
  private statement(depth: number, out: Stmt[], target: ScopeNode | undefined): void {
    const line = this.line;
    const col = this.i - this.lineStart + 1;
    this.count(line, col);
    const nm = this.name();
    if (nm.keyword !== 0) return this.include(nm, line, col, depth, out, target);
    this.skip();
    const n = this.peek();
    if (n === C_EQ) {
      this.i++;
      this.skip();
      if (this.peek() !== C_LBRACE) return this.assignment(nm, line, col, depth, out, target);
    } else if (n === C_LBRACK) {
      // `name [ ... ]`: the value is the hash at this.i, as in `name = [ ... ]`
      return this.assignment(nm, line, col, depth, out, target);
    } else if (n >= 0 && n !== C_LBRACE && this.atScalar(false)) {
      return this.instanceScope(nm, line, col, depth, out, target);
    } else if (n !== C_LBRACE) {
      throw this.errHere(
        `expected '=' or '{' after name ${quoteForMsg(nm.name)}, found ${describe(this.src, this.i)}`,
      );
    }
    this.scope(nm, line, col, depth, out, target, undefined, 0, false, 0, 0);
  }

  /** `include` / `readonly_include` (nm.keyword) and its path (this.i after the keyword). */
  private include(
    nm: NameEntry,
    line: number,
    col: number,
    depth: number,
    out: Stmt[],
    target: ScopeNode | undefined,
  ): void {
    this.skip();
    if (!this.atScalar(false)) {
      throw this.errHere(`expected a path after ${nm.name}, found ${describe(this.src, this.i)}`);
    }
    const path = this.scalar(false, true);
    if (path.text === '') throw this.errAt(path.line, path.col, `empty path after ${nm.name}`);
    const st: IncludeStmt = {
      kind: 'include',
      readonly: nm.keyword === READONLY_INCLUDE,
      path,
      file: this.file,
      line,
      col,
    };
    if (target === undefined) out.push(st);
    else if (this.onInclude) this.onInclude(st, target, depth);
  }

  /** An option: `name = value` or `name [ ... ]`, this.i at the value. */
  private assignment(
    nm: NameEntry,
    line: number,
    col: number,
    depth: number,
    out: Stmt[],
    target: ScopeNode | undefined,
  ): void {
    const vs = this.i;
    const vl = this.line;
    const v = this.value(depth, false, target === undefined);
    if (v === undefined) {
      throw this.errHere(
        `expected a value after '=' for ${quoteForMsg(nm.name)}, found ${describe(this.src, this.i)}`,
      );
    }
    if (target === undefined) {
      const st: OptionStmt = {
        kind: 'option',
        name: nm.name,
        value: v,
        file: this.file,
        line,
        col,
      };
      out.push(st);
    } else {
      if (this.fileIdx < 0) this.fileIdx = target.store.addFile(this.ft);
      target.addOption(nm, this.fileIdx, line, col, vs, vl);
    }
  }

  /** `name instance { ... }`, this.i at the instance (a scalar). */
  private instanceScope(
    nm: NameEntry,
    line: number,
    col: number,
    depth: number,
    out: Stmt[],
    target: ScopeNode | undefined,
  ): void {
    const start = this.i;
    const instLine = this.line;
    const instCol = start - this.lineStart + 1;
    const q = this.b[start]!;
    const quoted = q === C_DQ || q === C_SQ;
    const text = this.scalarText(false);
    // merge mode finds the child by this hash (build mode needs none)
    const hash = target === undefined ? 0 : this.textHash(text, start, quoted);
    this.skip();
    if (this.peek() !== C_LBRACE) {
      throw this.errHere(
        `expected '{' after scope instance ${quoteForMsg(text)} of ${quoteForMsg(nm.name)}, found ${describe(this.src, this.i)}`,
      );
    }
    this.scope(nm, line, col, depth, out, target, text, hash, quoted, instLine, instCol);
  }

  /**
   * The scope `nm`, this.i at its '{', and its body. Its instance, if any (instText defined), was
   * read by instanceScope; in merge mode the Scalar for it is built only if asked for (scope.ts).
   */
  private scope(
    nm: NameEntry,
    line: number,
    col: number,
    depth: number,
    out: Stmt[],
    target: ScopeNode | undefined,
    instText: string | undefined,
    instHash: number,
    instQuoted: boolean,
    instLine: number,
    instCol: number,
  ): void {
    this.checkDepth(depth + 1, this.line, this.i - this.lineStart + 1, 'scope');
    this.countScope(line, col);
    this.i++;
    const name = nm.name;
    if (target !== undefined) {
      const child = target.child(
        nm,
        instText,
        instHash,
        instQuoted,
        instLine,
        instCol,
        this.file,
        line,
        col,
      );
      this.body(depth + 1, name, line, col, child);
      return;
    }
    const body = this.body(depth + 1, name, line, col, undefined);
    let st: ScopeStmt;
    if (instText === undefined) st = { kind: 'scope', name, body, file: this.file, line, col };
    else {
      const instance: Scalar = {
        kind: 'scalar',
        text: instText,
        quoted: instQuoted,
        file: this.file,
        line: instLine,
        col: instCol,
      };
      st = { kind: 'scope', name, instance, body, file: this.file, line, col };
    }
    out.push(st);
  }
}

export function parseInternal(text: string, file: string, opts: ParseOptions = {}): ParsedFile {
  const p = new Parser(fileText(file, text), opts);
  return { file, body: p.body(opts.baseDepth ?? 0, undefined, 0, 0, undefined) };
}

/**
 * Parse `ft` and merge it into `target` as it is read (no AST). Option values are validated
 * but materialised lazily. Include statements are passed to `onInclude` in document order.
 */
export function parseInto(
  ft: FileText,
  target: ScopeNode,
  opts: ParseOptions,
  onInclude: IncludeHandler | undefined,
): void {
  // names are interned per tree: option records refer to them by id
  const p = new Parser(ft, { ...opts, names: target.store.names });
  p.onInclude = onInclude;
  p.body(opts.baseDepth ?? 0, undefined, 0, 0, target);
}

/**
 * The (already validated) value at offset `start`, on line `line`, of `ft`: the ValueDecoder of
 * the trees parseInto fills (store.ts keeps only where each option's value starts).
 */
export function decodeValue(ft: FileText, start: number, line: number): Value {
  const src = ft.src;
  let ls = src.lastIndexOf('\n', start - 1) + 1;
  if (ls === 0 && src.charCodeAt(0) === 0xfeff) ls = 1;
  return new Parser(ft, {}).valueAt(start, line, ls);
}

/** Parse one text (no includes followed); for tests, fuzzing and the benchmark. */
export function parseText(text: string, file: string): ParsedFile {
  return parseInternal(text, file);
}
