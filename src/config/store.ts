/**
 * Compact storage of the options of one merged tree.
 *
 * A large configuration has ~one option per 50 bytes of text, and secwrap reads almost none of
 * them. Allocating one object per option made the garbage collector the biggest cost of loading
 * (every option survives the young generation and is copied twice). So while loading, an option
 * is only a fixed-size record of integers in one growable Int32Array shared by the whole tree;
 * the ConfigOption objects (and their values, re-parsed from the retained source text) are built
 * only when a scope's options are first read.
 */
import type { ConfigOption, Value } from './model.js';
import { NameTable, Parser, type FileText } from './parser.js';

// Record layout: REC consecutive int32s per option.
const R_NAME = 0; // NameEntry id (name as written)
const R_KEY = 1; // id of the lower-cased name (the option key)
const R_FILE = 2; // index into OptionStore.files
const R_LINE = 3; // statement position
const R_COL = 4;
const R_VSTART = 5; // offset of the value in the file's text
const R_VLINE = 6; // line of the value
const R_PREV = 7; // record this option overrode, or -1
const R_NEXT = 8; // next option of the same scope (small scopes keep a linked list), or -1
const REC = 9;

/** Options (as integer records), names and file texts of one merged tree. */
export class OptionStore {
  /** Interned statement names of the tree (shared by all its files). */
  readonly names = new NameTable();
  private readonly files: FileText[] = [];
  private rec = new Int32Array(REC * 1024);
  private count = 0;

  addFile(ft: FileText): number {
    this.files.push(ft);
    return this.files.length - 1;
  }

  /** Append a record; returns its index. */
  add(
    nameId: number,
    keyId: number,
    fileIdx: number,
    line: number,
    col: number,
    vstart: number,
    vline: number,
    prev: number,
  ): number {
    let base = this.count * REC;
    if (base + REC > this.rec.length) {
      const bigger = new Int32Array(this.rec.length * 2);
      bigger.set(this.rec);
      this.rec = bigger;
    }
    const r = this.rec;
    r[base + R_NAME] = nameId;
    r[base + R_KEY] = keyId;
    r[base + R_FILE] = fileIdx;
    r[base + R_LINE] = line;
    r[base + R_COL] = col;
    r[base + R_VSTART] = vstart;
    r[base + R_VLINE] = vline;
    r[base + R_PREV] = prev;
    r[base + R_NEXT] = -1;
    base = this.count++;
    return base;
  }

  key(o: number): number {
    return this.rec[o * REC + R_KEY]!;
  }
  next(o: number): number {
    return this.rec[o * REC + R_NEXT]!;
  }
  setNext(o: number, next: number): void {
    this.rec[o * REC + R_NEXT] = next;
  }
  /** The lower-cased name (map key) of record `o`. */
  keyText(o: number): string {
    return this.names.lowerOf(this.rec[o * REC + R_KEY]!);
  }

  /** A ConfigOption view of record `o` (a new object each call; callers cache it). */
  option(o: number): ConfigOption {
    return new StoredOption(this, o);
  }

  // ---- field access for StoredOption ---------------------------------------------------------

  nameOf(o: number): string {
    return this.names.entry(this.rec[o * REC + R_NAME]!).name;
  }
  fileOf(o: number): FileText {
    return this.files[this.rec[o * REC + R_FILE]!]!;
  }
  field(o: number, f: number): number {
    return this.rec[o * REC + f]!;
  }
}

/** Materialise the (already validated) value of record `o` from its file's text. */
function valueOf(store: OptionStore, o: number): Value {
  const ft = store.fileOf(o);
  const src = ft.src;
  const start = store.field(o, R_VSTART);
  let ls = src.lastIndexOf('\n', start - 1) + 1;
  if (ls === 0 && src.charCodeAt(0) === 0xfeff) ls = 1;
  const p = new Parser(src, ft.file, {});
  return p.valueAt(start, store.field(o, R_VLINE), ls);
}

/** The public face of one option record; fields are read from the store on demand. */
class StoredOption implements ConfigOption {
  private v: Value | undefined = undefined;
  private prev: ConfigOption | undefined | null = null; // null: not looked up yet

  constructor(
    private readonly store: OptionStore,
    private readonly o: number,
  ) {}

  get name(): string {
    return this.store.nameOf(this.o);
  }
  get file(): string {
    return this.store.fileOf(this.o).file;
  }
  get line(): number {
    return this.store.field(this.o, R_LINE);
  }
  get col(): number {
    return this.store.field(this.o, R_COL);
  }
  get value(): Value {
    if (this.v === undefined) this.v = valueOf(this.store, this.o);
    return this.v;
  }
  get previous(): ConfigOption | undefined {
    if (this.prev === null) {
      const p = this.store.field(this.o, R_PREV);
      this.prev = p < 0 ? undefined : this.store.option(p);
    }
    return this.prev;
  }
}
