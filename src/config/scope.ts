/** The scopes of the merged tree, filled by the parser as it reads (see ScopeNode). */
import { scopeKey, type ConfigOption, type ConfigScope, type Scalar } from './model.js';
import { hashString, type NameEntry } from './names.js';
import { OptionStore, type ValueDecoder } from './store.js';

const EMPTY: ReadonlyMap<string, never> = new Map<string, never>();
/**
 * Up to this many options / children a scope keeps them in linked lists (linear search, no index:
 * most scopes are small, and a short list is cheaper to search than any hash table).
 */
const SMALL = 8;

/**
 * The implementation of ConfigScope used while merging, built for speed and memory (a large
 * configuration has tens of thousands of scopes, and all of them survive the load):
 * - options are integer records in the tree's OptionStore (store.ts), not objects; small scopes
 *   chain them in a linked list, big ones index them by interned key id;
 * - children are an intrusive linked list; once there are more than SMALL they are also found by
 *   key in the tree-wide ChildTable of the store (store.ts);
 * - names are interned, so key compares are integer compares;
 * - the instance Scalar, the public Maps and the child array are built on first use.
 */
export class ScopeNode implements ConfigScope {
  /** First option record of the list (small scopes), or -1. */
  private optHead = -1;
  private optCount = 0;
  /** Once present (big scopes), the source of truth for options: key id -> newest record. */
  private optIdx: Map<number, number> | undefined = undefined;
  /** The public view of the options, built on first read. */
  private oMap: Map<string, ConfigOption> | undefined = undefined;
  private inst: Scalar | undefined = undefined;
  private firstChild: ScopeNode | undefined = undefined;
  private lastChild: ScopeNode | undefined = undefined;
  private childCount = 0;
  private nextSibling: ScopeNode | undefined = undefined;
  /** Once the children are in the store's ChildTable: this scope's parent id there, else -1. */
  private tableId = -1;
  private sMap: Map<string, ScopeNode> | undefined = undefined;
  private sList: ScopeNode[] | undefined = undefined;

  private constructor(
    readonly name: string,
    readonly nameLower: string,
    /** Interned id of nameLower (-1 for the global scope). */
    private readonly keyId: number,
    /** The instance: its text (undefined if none), quoting and position. */
    private readonly instText: string | undefined,
    private readonly instQuoted: boolean,
    private readonly instLine: number,
    private readonly instCol: number,
    readonly file: string,
    readonly line: number,
    readonly col: number,
    readonly store: OptionStore<ScopeNode>,
  ) {}

  /** The global scope of a new tree (with its own OptionStore, which reads values with `decode`). */
  static root(file: string, line: number, col: number, decode: ValueDecoder): ScopeNode {
    return new ScopeNode(
      '',
      '',
      -1,
      undefined,
      false,
      0,
      0,
      file,
      line,
      col,
      new OptionStore<ScopeNode>(decode),
    );
  }

  get instance(): Scalar | undefined {
    if (this.inst === undefined && this.instText !== undefined) {
      this.inst = {
        kind: 'scalar',
        text: this.instText,
        quoted: this.instQuoted,
        file: this.file,
        line: this.instLine,
        col: this.instCol,
      };
    }
    return this.inst;
  }

  get options(): ReadonlyMap<string, ConfigOption> {
    if (this.oMap === undefined) {
      if (this.optCount === 0) return EMPTY;
      const st = this.store;
      const m = new Map<string, ConfigOption>();
      if (this.optIdx !== undefined) {
        for (const o of this.optIdx.values()) m.set(st.keyText(o), st.option(o));
      } else {
        for (let o = this.optHead; o >= 0; o = st.next(o)) m.set(st.keyText(o), st.option(o));
      }
      this.oMap = m;
    }
    return this.oMap;
  }

  get scopeList(): readonly ScopeNode[] {
    if (this.sList === undefined) {
      const l: ScopeNode[] = [];
      for (let c = this.firstChild; c !== undefined; c = c.nextSibling) l.push(c);
      this.sList = l;
    }
    return this.sList;
  }

  get scopes(): ReadonlyMap<string, ConfigScope> {
    if (this.sMap !== undefined) return this.sMap;
    if (this.childCount === 0) return EMPTY;
    const m = new Map<string, ScopeNode>();
    for (let c = this.firstChild; c !== undefined; c = c.nextSibling)
      m.set(scopeKey(c.nameLower, c.instText), c);
    this.sMap = m;
    return m;
  }

  getOption(key: string): ConfigOption | undefined {
    return this.options.get(key);
  }

  /**
   * Record option `nm` (value at offset vstart, line vline of file fileIdx of the store). A name
   * already set keeps its place (first appearance) and the new record links to the old one.
   */
  addOption(
    nm: NameEntry,
    fileIdx: number,
    line: number,
    col: number,
    vstart: number,
    vline: number,
  ): void {
    const st = this.store;
    const key = nm.lowerId;
    this.oMap = undefined;
    if (this.optIdx !== undefined) {
      const prev = this.optIdx.get(key);
      if (prev === undefined) this.optCount++;
      this.optIdx.set(key, st.add(nm.id, key, fileIdx, line, col, vstart, vline, prev ?? -1));
      return;
    }
    let before = -1;
    for (let o = this.optHead; o >= 0; o = st.next(o)) {
      if (st.key(o) === key) {
        const r = st.add(nm.id, key, fileIdx, line, col, vstart, vline, o);
        st.setNext(r, st.next(o));
        if (before < 0) this.optHead = r;
        else st.setNext(before, r);
        return;
      }
      before = o;
    }
    const r = st.add(nm.id, key, fileIdx, line, col, vstart, vline, -1);
    if (before < 0) this.optHead = r;
    else st.setNext(before, r);
    if (++this.optCount > SMALL) {
      const idx = new Map<number, number>();
      for (let o = this.optHead; o >= 0; o = st.next(o)) idx.set(st.key(o), o);
      this.optIdx = idx;
    }
  }

  /**
   * The child scope (nm, instance text), created with the given attributes if absent. instHash:
   * the parser's hash of the instance text (any number without instance; see ChildTable).
   */
  child(
    nm: NameEntry,
    instText: string | undefined,
    instHash: number,
    instQuoted: boolean,
    instLine: number,
    instCol: number,
    file: string,
    line: number,
    col: number,
  ): ScopeNode {
    const keyId = nm.lowerId;
    const table = this.store.children;
    let c: ScopeNode | undefined;
    if (this.tableId < 0) {
      for (c = this.firstChild; c !== undefined; c = c.nextSibling) {
        if (c.keyId === keyId && c.instText === instText) return c;
      }
    } else {
      c = table.find(this.tableId, keyId, instText, instHash);
      if (c !== undefined) return c;
    }
    c = new ScopeNode(
      nm.name,
      nm.lower,
      keyId,
      instText,
      instQuoted,
      instLine,
      instCol,
      file,
      line,
      col,
      this.store,
    );
    if (this.lastChild === undefined) this.firstChild = c;
    else this.lastChild.nextSibling = c;
    this.lastChild = c;
    this.sMap = undefined;
    this.sList = undefined;
    this.childCount++;
    if (this.tableId >= 0) table.add(this.tableId, keyId, instText, instHash, c);
    else if (this.childCount > SMALL) {
      // A big scope from now on: index all its children. Their instance hashes were not kept, so
      // they are recomputed from the texts (once per big scope; the same hash the parser computes).
      this.tableId = table.newParentId();
      for (let x = this.firstChild; x !== undefined; x = x.nextSibling) {
        table.add(
          this.tableId,
          x.keyId,
          x.instText,
          x === c ? instHash : hashString(x.instText ?? ''),
          x,
        );
      }
    }
    return c;
  }
}
