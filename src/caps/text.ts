/**
 * libcap's capability text: `cap_from_text` and `cap_to_text` (libcap 2.66) re-implemented on
 * `bigint` masks, verified bit-for-bit against the real library by
 * test/unit/caps/differential.test.ts.
 *
 * Grammar, as libcap implements it (clauses apply left to right from all-clear):
 *   text    := ws* (clause ws+)* clause? ws*          ws = space \t \n \v \f \r (C isspace)
 *   clause  := caplist? action+                       no caplist = all (0..cap_last_cap),
 *                                                     allowed only before a first '='
 *   caplist := item (',' item)*                       item = all | cap_NAME | number (strtoul
 *                                                     base 0: 10, 0x0a, 012; 0..63)
 *   action  := ('=' | '+' | '-' | '=+' | '=-') flags  flags = [eip]*, lower case; '+'/'-'
 *                                                     need at least one flag; '=' may have none
 * A clause without a caplist (one starting with '=') cannot chain '+'/'-' or use '=+'/'=-':
 * libcap rejects `=ep-e` (write `all=ep-e`). A second '=' in a clause is an error.
 */
import { SecwrapError, quoteInput } from '../errors.js';
import {
  CAP_MAX_BITS,
  CAP_NAMES,
  MASK64,
  allMask,
  capLastCap,
  capName,
  capNumber,
} from './table.js';

/** The three capability sets of a process or file. */
export interface CapState {
  readonly effective: bigint;
  readonly inheritable: bigint;
  readonly permitted: bigint;
}

/** Invalid capability text. The message names the clause and the 1-based column. */
export class CapTextError extends SecwrapError {
  override readonly name: string = 'CapTextError';
  constructor(
    /** The whole text given to capFromText. */
    readonly text: string,
    /** The clause (whitespace-delimited) in which the error was found. */
    readonly clause: string,
    /** 1-based column in `text`, counted in characters (code points). */
    readonly column: number,
    /** What is wrong, without position. */
    readonly reason: string,
    /** For an unknown capability name: the closest real name, if any is close. */
    readonly suggestion?: string,
  ) {
    super(
      `clause ${quoteInput(clause, 256)}: ${reason} at column ${column}` +
        (suggestion === undefined ? '' : `; did you mean ${JSON.stringify(suggestion)}?`),
    );
  }
}

// libcap's LIBCAP_EFF/LIBCAP_PER/LIBCAP_INH: the values order cap_to_text's clauses.
const F_E = 1;
const F_P = 2;
const F_I = 4;

// C-locale <ctype.h> on one UTF-16 code unit; anything outside ASCII is none of these, as a
// UTF-8 byte >= 0x80 is none of them in libcap's (C-locale) process.
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
function isAlnum(c: number): boolean {
  return isAlpha(c) || isDigit(c);
}
function isWordStart(c: number): boolean {
  return isAlnum(c) || c === 0x5f; /* _ */
}
function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function describe(text: string, pos: number): string {
  if (pos >= text.length) return 'end of text';
  const cp = text.codePointAt(pos) ?? 0;
  if (isSpace(cp)) return 'whitespace';
  return JSON.stringify(String.fromCodePoint(cp));
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, sub));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/**
 * The closest name in `names` to `word` (case-insensitive), trying also `prefix + word` when
 * the prefix is missing; undefined if nothing is reasonably close.
 */
export function closestName(
  word: string,
  names: readonly string[],
  prefix = '',
): string | undefined {
  const w = word.toLowerCase();
  const candidates = prefix !== '' && !w.startsWith(prefix) ? [w, prefix + w] : [w];
  let best: string | undefined;
  let bestD = Infinity;
  for (const n of names) {
    for (const c of candidates) {
      const d = levenshtein(c, n);
      if (d < bestD) {
        bestD = d;
        best = n;
      }
    }
  }
  const limit = Math.max(2, Math.floor(w.length / 3));
  return bestD <= limit ? best : undefined;
}

class Parser {
  e = 0n;
  i = 0n;
  p = 0n;
  pos = 0;
  clauseStart = 0;
  constructor(
    readonly text: string,
    readonly all: bigint,
  ) {}

  code(at: number = this.pos): number {
    return at < this.text.length ? this.text.charCodeAt(at) : 0;
  }

  fail(at: number, reason: string, suggestion?: string): never {
    let end = this.clauseStart;
    while (end < this.text.length && !isSpace(this.text.charCodeAt(end))) end++;
    const clause = this.text.slice(this.clauseStart, end);
    const column = [...this.text.slice(0, at)].length + 1;
    throw new CapTextError(this.text, clause, column, reason, suggestion);
  }

  /**
   * One caplist item at pos: `all`, a number, or a name; returns the list so far with it added.
   * libcap's `all` assigns the list (forceall) instead of adding to it, so numbers above
   * lastCap listed before `all` are forgotten: `47,all+p` is `all+p`, `all,47+p` keeps 47.
   */
  item(list: bigint): bigint {
    const t = this.text;
    const start = this.pos;
    if (isDigit(this.code())) {
      // strtoul(str, &end, 0): 0x/0X + hex digits, 0 + octal digits, else decimal.
      let value: bigint;
      if (
        this.code() === 0x30 &&
        (this.code(start + 1) | 0x20) === 0x78 &&
        isHex(this.code(start + 2))
      ) {
        let j = start + 2;
        while (isHex(this.code(j))) j++;
        value = BigInt('0x' + t.slice(start + 2, j));
        this.pos = j;
      } else if (this.code() === 0x30) {
        let j = start + 1;
        while (this.code(j) >= 0x30 && this.code(j) <= 0x37) j++;
        value = j > start + 1 ? BigInt('0o' + t.slice(start + 1, j)) : 0n;
        this.pos = j;
      } else {
        let j = start;
        while (isDigit(this.code(j))) j++;
        value = BigInt(t.slice(start, j));
        this.pos = j;
      }
      if (value >= BigInt(CAP_MAX_BITS)) {
        this.fail(
          start,
          `capability number ${t.slice(start, this.pos)} is out of range 0..${CAP_MAX_BITS - 1}`,
        );
      }
      return list | (1n << value);
    }
    // Letters and '_' form the name; a digit right after it makes the word unknown.
    let j = start;
    while (isAlpha(this.code(j)) || this.code(j) === 0x5f) j++;
    const word = t.slice(start, j);
    if (!isAlnum(this.code(j))) {
      if (word.toLowerCase() === 'all') {
        this.pos = j;
        return this.all;
      }
      const n = capNumber(word);
      if (n !== undefined) {
        this.pos = j;
        return list | (1n << BigInt(n));
      }
    }
    while (isWordStart(this.code(j))) j++;
    const whole = t.slice(start, j);
    this.fail(
      start,
      `unknown capability ${quoteInput(whole)}`,
      closestName(whole, [...CAP_NAMES, 'all'], 'cap_'),
    );
  }

  apply(op: string, list: bigint, flags: number): void {
    if (op === '=' || op === 'P' || op === 'M') {
      this.e &= ~list;
      this.i &= ~list;
      this.p &= ~list;
    }
    const raise = op !== '-' && op !== 'M';
    if (raise) {
      if (flags & F_E) this.e |= list;
      if (flags & F_I) this.i |= list;
      if (flags & F_P) this.p |= list;
    } else {
      if (flags & F_E) this.e &= ~list;
      if (flags & F_I) this.i &= ~list;
      if (flags & F_P) this.p &= ~list;
    }
  }

  clause(): void {
    const t = this.text;
    let list = 0n;
    let listed = false;
    const c0 = this.code();
    if (isWordStart(c0)) {
      for (;;) {
        list = this.item(list);
        if (this.code() !== 0x2c /* , */ || this.pos >= t.length) break;
        this.pos++;
        if (!isWordStart(this.code())) {
          this.fail(this.pos, `expected a capability after ",", found ${describe(t, this.pos)}`);
        }
      }
      listed = true;
    } else if (c0 === 0x2b || c0 === 0x2d) {
      this.fail(this.pos, `"${t[this.pos]}" needs a capability list before it`);
    } else {
      list = this.all;
    }

    const opAt = this.pos;
    let op = this.pos < t.length ? (t[this.pos] as string) : '';
    this.pos++;
    if (op === '=' && (this.code() === 0x2b || this.code() === 0x2d)) {
      if (!listed) this.fail(this.pos, `"=${t[this.pos]}" needs a capability list before it`);
      op = t[this.pos] === '+' ? 'P' : 'M';
      this.pos++;
    } else if (op !== '+' && op !== '-' && op !== '=') {
      this.fail(
        opAt,
        `expected "=", "+" or "-" after the capability list, found ${describe(t, opAt)}`,
      );
    }

    let flags = 0;
    do {
      const c = this.code();
      if (this.pos < t.length && !isSpace(c)) {
        const ch = t[this.pos] as string;
        if (ch === 'e') flags |= F_E;
        else if (ch === 'i') flags |= F_I;
        else if (ch === 'p') flags |= F_P;
        else if (ch === '=') this.fail(this.pos, 'a second "=" in one clause');
        else if (ch === 'E' || ch === 'I' || ch === 'P') {
          this.fail(this.pos, `flag ${JSON.stringify(ch)} must be lower case (e, i, p)`);
        } else this.fail(this.pos, `expected a flag e, i or p, found ${describe(t, this.pos)}`);
        this.pos++;
      } else if (op !== '=') {
        const shown = op === 'P' ? '=+' : op === 'M' ? '=-' : op;
        this.fail(this.pos, `"${shown}" must be followed by at least one flag (e, i, p)`);
      }
      this.apply(op, list, flags);
      const n = this.code();
      if (this.pos < t.length && (n === 0x2b || n === 0x2d)) {
        if (!listed) {
          this.fail(
            this.pos,
            `"${t[this.pos]}" after "=" needs an explicit capability list (write "all=..." instead of "=...")`,
          );
        }
        flags = 0;
        op = t[this.pos] as string;
        this.pos++;
        if (!isAlpha(this.code())) {
          this.fail(this.pos, `"${op}" must be followed by at least one flag (e, i, p)`);
        }
      }
    } while (this.pos < t.length && !isSpace(this.code()));
  }

  run(): CapState {
    const t = this.text;
    for (;;) {
      while (this.pos < t.length && isSpace(this.code())) this.pos++;
      if (this.pos >= t.length)
        return { effective: this.e, inheritable: this.i, permitted: this.p };
      this.clauseStart = this.pos;
      this.clause();
    }
  }
}

/**
 * libcap's `cap_from_text`. `lastCap` is the highest capability `all` (or a leading `=`)
 * covers: the running kernel's by default. Throws CapTextError. Deviation: libcap stops at a
 * NUL byte; this rejects text containing U+0000.
 */
export function capFromText(text: string, lastCap: number = capLastCap()): CapState {
  if (!Number.isInteger(lastCap) || lastCap < 0 || lastCap >= CAP_MAX_BITS) {
    throw new RangeError(`lastCap must be an integer in 0..${CAP_MAX_BITS - 1}, got ${lastCap}`);
  }
  const parser = new Parser(text, allMask(lastCap));
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    parser.clauseStart = nul;
    parser.fail(nul, 'NUL character in capability text');
  }
  return parser.run();
}

function checkMask(what: string, m: bigint): void {
  if (m < 0n || m > MASK64) throw new RangeError(`${what} mask ${m} is outside 0..2^64-1`);
}

function flagText(f: number): string {
  return (f & F_E ? 'e' : '') + (f & F_I ? 'i' : '') + (f & F_P ? 'p' : '');
}

/**
 * libcap 2.66's `cap_to_text`: `=FLAGS` for the commonest flag combination among caps
 * 0..lastCap (ties go to fewer flags, so usually `=`), then one clause per other combination
 * (in decreasing order of the combination's value with e=1 p=2 i=4) listing its caps with `+`/`-` relative to that
 * default; when the default is empty the first clause is written `names=flags`. Bits above
 * lastCap (up to 63) follow as `names+flags`, by name if libcap knows one, by number otherwise.
 */
export function capToText(state: CapState, lastCap: number = capLastCap()): string {
  if (!Number.isInteger(lastCap) || lastCap < 0 || lastCap >= CAP_MAX_BITS) {
    throw new RangeError(`lastCap must be an integer in 0..${CAP_MAX_BITS - 1}, got ${lastCap}`);
  }
  const { effective: e, inheritable: i, permitted: p } = state;
  checkMask('effective', e);
  checkMask('inheritable', i);
  checkMask('permitted', p);
  const cmb = lastCap + 1;
  const flagsOf = (n: number): number => {
    const b = 1n << BigInt(n);
    return (e & b ? F_E : 0) | (i & b ? F_I : 0) | (p & b ? F_P : 0);
  };
  const groups: string[][] = [[], [], [], [], [], [], [], []];
  for (let n = 0; n < cmb; n++) groups[flagsOf(n)]?.push(capName(n));
  let m = 7;
  for (let t = 6; t >= 0; t--) if ((groups[t]?.length ?? 0) >= (groups[m]?.length ?? 0)) m = t;

  let out = '=' + flagText(m);
  let first = true;
  for (let t = 7; t >= 0; t--) {
    const names = groups[t] ?? [];
    if (t === m || names.length === 0) continue;
    let clause = names.join(',');
    const up = t & ~m;
    if (up) {
      if (first && m === 0) {
        out = ''; // "= a,b+ep" is written "a,b=ep"
        clause += '=' + flagText(up);
      } else clause += '+' + flagText(up);
    }
    const down = ~t & m & 7;
    if (down) clause += '-' + flagText(down);
    out += (out === '' ? '' : ' ') + clause;
    first = false;
  }

  const high: string[][] = [[], [], [], [], [], [], [], []];
  for (let n = cmb; n < CAP_MAX_BITS; n++) high[flagsOf(n)]?.push(capName(n));
  for (let t = 7; t >= 1; t--) {
    const names = high[t] ?? [];
    if (names.length > 0) out += ' ' + names.join(',') + '+' + flagText(t);
  }
  return out;
}

/** Names of the capabilities in a mask, ascending; unnamed bits as decimal numbers. */
export function maskToNames(mask: bigint): string[] {
  checkMask('capability', mask);
  const names: string[] = [];
  for (let n = 0; n < CAP_MAX_BITS; n++) if (mask & (1n << BigInt(n))) names.push(capName(n));
  return names;
}

/** A mask as `/proc/self/status` prints CapEff and friends: 16 lower-case hex digits. */
export function maskToHex(mask: bigint): string {
  checkMask('capability', mask);
  return mask.toString(16).padStart(16, '0');
}
