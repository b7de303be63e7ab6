/**
 * Compact storage of the options of one merged tree.
 *
 * A large configuration has ~one option per 50 bytes of text, and secwrap reads almost none of
 * them. So while loading, an option is only a fixed-size record of integers (REC int32s, below) in
 * paged Int32Arrays shared by the whole tree; the ConfigOption objects (and their values,
 * re-parsed from the retained source text) are built only when a scope's options are first read.
 *
 * Why records in paged Int32Arrays rather than one object per option:
 * - Memory: a record is 9 int32s, 36 bytes, where an object with the same nine fields takes
 *   about 100 bytes of V8 heap (64-bit V8 without pointer compression, as Node ships it).
 * - Garbage collection: every option survives the load, so objects would all be copied out of
 *   the young generation and then marked one by one in the old one. A typed array's contents
 *   live outside the V8 heap and hold no pointers: a page is one small object to the collector
 *   however many records it holds. Allocating one object per option made the collector the
 *   biggest cost of loading.
 * - Locality: the fields of a record are adjacent (36 bytes: one or two cache lines), and add()
 *   writes them all through one page lookup.
 * - Growth without copying: the store grows by one page at a time (PAGE_RECS records) and pages
 *   never move. One array grown by doubling would copy every record so far at each step, and
 *   for that moment hold the old array and the new one, twice its size, together.
 * Every field fits in 32 bits: ids and indexes, lines and columns, offsets in a text (loads are
 * bounded to far less than 2 GiB, limits.ts), and -1 for "none".
 */
import type { ConfigOption, Value } from './model.js';
import { MAX_PROBES, NameTable } from './names.js';
import type { FileText } from './text.js';

/**
 * Reads the value that starts at offset `start`, on line `line`, of `ft`. The parser's, handed to
 * the store by whoever creates the tree, so that the store (which only keeps offsets) does not
 * depend on the parser (which fills the store).
 */
export type ValueDecoder = (ft: FileText, start: number, line: number) => Value;

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

// Records live in fixed-size pages that are never copied (see the file comment).
const PAGE_BITS = 12;
const PAGE_RECS = 1 << PAGE_BITS; // records per page
const PAGE_MASK = PAGE_RECS - 1;

/** A growable table of fixed-size int32 records (`width` fields each), stored in pages. */
class Records {
  private readonly pages: Int32Array[] = [];
  private n = 0;

  constructor(private readonly width: number) {}

  /** Append a record (all fields 0); returns its index. */
  add(): number {
    const o = this.n++;
    if ((o & PAGE_MASK) === 0) this.pages.push(new Int32Array(PAGE_RECS * this.width));
    return o;
  }

  /**
   * The page holding record `o`; its fields are at base(o) + f. For writing a whole record: one
   * page lookup instead of one per field.
   */
  page(o: number): Int32Array {
    return this.pages[o >>> PAGE_BITS]!;
  }

  base(o: number): number {
    return (o & PAGE_MASK) * this.width;
  }

  /** Field `f` of record `o`. */
  get(o: number, f: number): number {
    return this.pages[o >>> PAGE_BITS]![(o & PAGE_MASK) * this.width + f]!;
  }

  set(o: number, f: number, v: number): void {
    this.pages[o >>> PAGE_BITS]![(o & PAGE_MASK) * this.width + f] = v;
  }
}

/**
 * Options (as integer records), names, file texts and the child-scope index of one merged tree.
 * N: the tree's scope node type (ScopeNode in scope.ts), which the store only keeps in `children`.
 */
export class OptionStore<N> {
  /** Interned statement names of the tree (shared by all its files). */
  readonly names = new NameTable();
  /** The children of the tree's big scopes by (parent, name, instance); see ChildTable. */
  readonly children = new ChildTable<N>();
  private readonly files: FileText[] = [];
  private readonly rec = new Records(REC);

  constructor(private readonly decode: ValueDecoder) {}

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
    const o = this.rec.add();
    const p = this.rec.page(o);
    const b = this.rec.base(o);
    p[b + R_NAME] = nameId;
    p[b + R_KEY] = keyId;
    p[b + R_FILE] = fileIdx;
    p[b + R_LINE] = line;
    p[b + R_COL] = col;
    p[b + R_VSTART] = vstart;
    p[b + R_VLINE] = vline;
    p[b + R_PREV] = prev;
    p[b + R_NEXT] = -1;
    return o;
  }

  /** Field `f` (R_*) of record `o`. */
  field(o: number, f: number): number {
    return this.rec.get(o, f);
  }

  key(o: number): number {
    return this.field(o, R_KEY);
  }
  next(o: number): number {
    return this.field(o, R_NEXT);
  }
  setNext(o: number, next: number): void {
    this.rec.set(o, R_NEXT, next);
  }
  /** The lower-cased name (map key) of record `o`. */
  keyText(o: number): string {
    return this.names.lowerOf(this.field(o, R_KEY));
  }

  /** A ConfigOption view of record `o` (a new object each call; callers cache it). */
  option(o: number): ConfigOption {
    return new StoredOption(this, o);
  }

  // ---- field access for StoredOption ---------------------------------------------------------

  nameOf(o: number): string {
    return this.names.entry(this.field(o, R_NAME)).name;
  }
  fileOf(o: number): FileText {
    return this.files[this.field(o, R_FILE)]!;
  }
  /** Materialise the (already validated) value of record `o` from its file's text. */
  valueOf(o: number): Value {
    return this.decode(this.fileOf(o), this.field(o, R_VSTART), this.field(o, R_VLINE));
  }
}

/** The public face of one option record; fields are read from the store on demand. */
class StoredOption implements ConfigOption {
  private v: Value | undefined = undefined;
  private prev: ConfigOption | undefined | null = null; // null: not looked up yet

  constructor(
    private readonly store: OptionStore<unknown>,
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
    if (this.v === undefined) this.v = this.store.valueOf(this.o);
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

/**
 * The children of the big scopes of a tree (more than a few children: scope.ts), keyed by
 * (parent id, interned name key, instance text), in one open-addressing table. Compared with Maps
 * per scope keyed by instance strings, the engine never hashes the freshly sliced instance strings
 * (the caller passes a hash the parser computed from the code units it scanned anyway) and a big
 * scope needs no Map objects of its own. Entries are only added, never removed.
 */
export class ChildTable<N> {
  // The table proper: per slot the key's hash and 1 + the index of its entry (0: empty slot).
  // Typed arrays, so growing allocates zeroed memory natively and moves no pointers.
  private hashes = new Int32Array(1024);
  private slots = new Int32Array(1024);
  // The entries, in insertion order (never moved when the table grows).
  private readonly nodes: N[] = [];
  private readonly insts: (string | undefined)[] = [];
  private readonly parents: number[] = [];
  private readonly keyIds: number[] = [];
  private parentIds = 0;
  /** After a too-long probe sequence (MAX_PROBES in names.ts): every entry by a text key. */
  private byKey: Map<string, N> | undefined;

  /** A new parent id (one per big scope). */
  newParentId(): number {
    return this.parentIds++;
  }

  /** The child of `parent` with this name key and instance (instHash: the parser's hash of it). */
  find(parent: number, keyId: number, inst: string | undefined, instHash: number): N | undefined {
    if (this.byKey !== undefined) return this.byKey.get(textKey(parent, keyId, inst));
    const h = mix(parent, keyId, instHash);
    const mask = this.hashes.length - 1;
    let probes = 0;
    for (let k = h & mask; ; k = (k + 1) & mask) {
      const s = this.slots[k]!;
      if (s === 0) return undefined;
      const e = s - 1;
      if (
        this.hashes[k] === h &&
        this.parents[e] === parent &&
        this.keyIds[e] === keyId &&
        this.insts[e] === inst
      ) {
        return this.nodes[e];
      }
      if (++probes > MAX_PROBES) {
        this.toMap();
        return this.byKey!.get(textKey(parent, keyId, inst));
      }
    }
  }

  /** From now on a Map by text keys (V8 seeds its string hashes); the hashed slots are dropped. */
  private toMap(): void {
    const m = new Map<string, N>();
    for (let e = 0; e < this.nodes.length; e++)
      m.set(textKey(this.parents[e]!, this.keyIds[e]!, this.insts[e]), this.nodes[e]!);
    this.byKey = m;
    this.hashes = new Int32Array(0);
    this.slots = new Int32Array(0);
  }

  /** Add `node` under a key that find() reported absent. */
  add(parent: number, keyId: number, inst: string | undefined, instHash: number, node: N): void {
    if (this.byKey !== undefined) {
      this.byKey.set(textKey(parent, keyId, inst), node);
      return;
    }
    const e = this.nodes.length;
    this.nodes.push(node);
    this.insts.push(inst);
    this.parents.push(parent);
    this.keyIds.push(keyId);
    if ((e + 1) * 2 > this.hashes.length && !this.grow()) return this.toMap();
    if (!this.put(mix(parent, keyId, instHash), e)) this.toMap();
  }

  /** Place entry `e`; false if that took more than MAX_PROBES probes (the caller gives up hashing). */
  private put(h: number, e: number): boolean {
    const mask = this.hashes.length - 1;
    let k = h & mask;
    for (let probes = 0; this.slots[k] !== 0; probes++) {
      if (probes > MAX_PROBES) return false;
      k = (k + 1) & mask;
    }
    this.hashes[k] = h;
    this.slots[k] = e + 1;
    return true;
  }

  private grow(): boolean {
    const { hashes, slots } = this;
    this.hashes = new Int32Array(hashes.length * 2);
    this.slots = new Int32Array(hashes.length * 2);
    for (let k = 0; k < hashes.length; k++)
      if (slots[k] !== 0 && !this.put(hashes[k]!, slots[k]! - 1)) return false;
    return true;
  }
}

/** The Map key of an entry; "-" and "+" keep "no instance" apart from an empty one. */
function textKey(parent: number, keyId: number, inst: string | undefined): string {
  return `${parent},${keyId},${inst === undefined ? '-' : `+${inst}`}`;
}

/** Table hash of a (parent id, name key id, instance hash) key. */
function mix(parent: number, keyId: number, instHash: number): number {
  let h = Math.imul(parent ^ 0x5bd1e995, 0x01000193) ^ keyId;
  h = Math.imul(h, 0x01000193) ^ instHash;
  return (h ^ (h >>> 16)) | 0;
}
