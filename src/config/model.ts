/**
 * The value model of an ecelerity.conf document.
 *
 * Every node carries its own position (`file`, `line`, `col`, 1-based, columns in UTF-16 code
 * units) inline, so a node *is* a `Pos` and no separate position object is allocated per token.
 */
import type { Pos } from '../errors.js';

/** A bareword (`quoted: false`) or a single/double-quoted string with escapes applied. */
export interface Scalar extends Pos {
  readonly kind: 'scalar';
  readonly text: string;
  readonly quoted: boolean;
}

/** `( a b "c" )`; commas between items are accepted and not recorded. */
export interface ArrayValue extends Pos {
  readonly kind: 'array';
  readonly items: Value[];
}

export interface HashEntry {
  readonly key: Scalar;
  readonly value: Value;
}

/** `[ k = v ... ]`; entries kept in source order, duplicates included. */
export interface HashValue extends Pos {
  readonly kind: 'hash';
  readonly entries: HashEntry[];
}

export type Value = Scalar | ArrayValue | HashValue;

/** `name = value` (also `name [ ... ]`, recorded as a hash value). */
export interface OptionStmt extends Pos {
  readonly kind: 'option';
  /** As written; compare with `toLowerCase()`. */
  readonly name: string;
  readonly value: Value;
}

/** `name [instance] { ... }` (also `name = { ... }`). */
export interface ScopeStmt extends Pos {
  readonly kind: 'scope';
  readonly name: string;
  readonly instance?: Scalar;
  readonly body: Stmt[];
}

/** `include "path"` / `readonly_include "path"`. */
export interface IncludeStmt extends Pos {
  readonly kind: 'include';
  readonly readonly: boolean;
  readonly path: Scalar;
}

export type Stmt = OptionStmt | ScopeStmt | IncludeStmt;

/** One parsed text; includes are not followed. */
export interface ParsedFile {
  readonly file: string;
  readonly body: Stmt[];
}

/**
 * An effective option in the merged tree. `previous` chains the values it overrode (newest
 * first). `value` may be materialised lazily from the source text on first access (the loader
 * validates the whole value while reading, but does not allocate it until asked).
 */
export interface ConfigOption extends Pos {
  readonly name: string;
  readonly value: Value;
  readonly previous: ConfigOption | undefined;
}

/** A merged scope: every opening of the same (name, instance) pair contributes to one node. */
export interface ConfigScope extends Pos {
  /** As written at the first opening ('' for the global scope). */
  readonly name: string;
  readonly nameLower: string;
  readonly instance: Scalar | undefined;
  /** Keyed by lower-cased option name; insertion order = first appearance. */
  readonly options: ReadonlyMap<string, ConfigOption>;
  /** Keyed by `scopeKey(nameLower, instance)`; insertion order = first appearance. */
  readonly scopes: ReadonlyMap<string, ConfigScope>;
  /** The child scopes in order of first appearance (same nodes as `scopes.values()`). */
  readonly scopeList: readonly ConfigScope[];
}

const EMPTY: ReadonlyMap<string, never> = new Map<string, never>();
/** Up to this many entries a scope keeps options / children in linked lists (linear search). */
const SMALL = 8;

/** An option as stored by ScopeNode: a ConfigOption with its lower-cased key and a list link. */
export interface LinkedOption extends ConfigOption {
  readonly key: string;
  next: LinkedOption | undefined;
}

/**
 * The implementation of ConfigScope used while merging, built for speed and memory: small scopes
 * keep options and children in intrusive linked lists (names are interned, so key compares are
 * mostly pointer compares) and allocate nothing else; big ones switch to hash indexes; the
 * public Maps/arrays are built on first use.
 */
export class ScopeNode implements ConfigScope {
  private firstOpt: LinkedOption | undefined = undefined;
  private optCount = 0;
  /** Once present, the source of truth for options (insertion order = first appearance). */
  private oMap: Map<string, ConfigOption> | undefined = undefined;
  private firstChild: ScopeNode | undefined = undefined;
  private lastChild: ScopeNode | undefined = undefined;
  private childCount = 0;
  private nextSibling: ScopeNode | undefined = undefined;
  private anonIdx: Map<string, ScopeNode> | undefined = undefined;
  private namedIdx: Map<string, Map<string, ScopeNode>> | undefined = undefined;
  private sMap: Map<string, ScopeNode> | undefined = undefined;
  private sList: ScopeNode[] | undefined = undefined;

  constructor(
    readonly name: string,
    readonly nameLower: string,
    readonly instance: Scalar | undefined,
    readonly file: string,
    readonly line: number,
    readonly col: number,
  ) {}

  private optionMap(): Map<string, ConfigOption> {
    if (this.oMap === undefined) {
      const m = new Map<string, ConfigOption>();
      for (let o = this.firstOpt; o !== undefined; o = o.next) m.set(o.key, o);
      this.oMap = m;
      this.firstOpt = undefined;
    }
    return this.oMap;
  }

  get options(): ReadonlyMap<string, ConfigOption> {
    return this.oMap ?? (this.optCount === 0 ? EMPTY : this.optionMap());
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
    for (let c = this.firstChild; c !== undefined; c = c.nextSibling) m.set(scopeKey(c.nameLower, c.instance?.text), c);
    this.sMap = m;
    return m;
  }

  getOption(key: string): ConfigOption | undefined {
    if (this.oMap !== undefined) return this.oMap.get(key);
    for (let o = this.firstOpt; o !== undefined; o = o.next) if (o.key === key) return o;
    return undefined;
  }

  setOption(opt: LinkedOption): void {
    const key = opt.key;
    if (this.oMap !== undefined) {
      if (!this.oMap.has(key)) this.optCount++;
      this.oMap.set(key, opt);
      return;
    }
    let prev: LinkedOption | undefined;
    let last: LinkedOption | undefined;
    for (let o = this.firstOpt; o !== undefined; o = o.next) {
      if (o.key === key) {
        opt.next = o.next;
        if (prev === undefined) this.firstOpt = opt;
        else prev.next = opt;
        return;
      }
      prev = o;
      last = o;
    }
    opt.next = undefined;
    if (last === undefined) this.firstOpt = opt;
    else last.next = opt;
    if (++this.optCount > SMALL) this.optionMap();
  }

  /** The child scope (nameLower, instance text), created with the given attributes if absent. */
  child(
    nameLower: string,
    instText: string | undefined,
    name: string,
    instance: Scalar | undefined,
    file: string,
    line: number,
    col: number,
  ): ScopeNode {
    let c: ScopeNode | undefined;
    if (this.anonIdx === undefined) {
      for (c = this.firstChild; c !== undefined; c = c.nextSibling) {
        if (c.nameLower === nameLower && c.instance?.text === instText) return c;
      }
    } else {
      c = instText === undefined ? this.anonIdx.get(nameLower) : this.namedIdx!.get(nameLower)?.get(instText);
      if (c !== undefined) return c;
    }
    c = new ScopeNode(name, nameLower, instance, file, line, col);
    if (this.lastChild === undefined) this.firstChild = c;
    else this.lastChild.nextSibling = c;
    this.lastChild = c;
    this.sMap = undefined;
    this.sList = undefined;
    this.childCount++;
    if (this.anonIdx !== undefined) this.index(c);
    else if (this.childCount > SMALL) {
      this.anonIdx = new Map();
      this.namedIdx = new Map();
      for (let x = this.firstChild; x !== undefined; x = x.nextSibling) this.index(x);
    }
    return c;
  }

  private index(c: ScopeNode): void {
    const t = c.instance?.text;
    if (t === undefined) this.anonIdx!.set(c.nameLower, c);
    else {
      let m = this.namedIdx!.get(c.nameLower);
      if (m === undefined) this.namedIdx!.set(c.nameLower, (m = new Map()));
      m.set(t, c);
    }
  }
}

/** The merged document: global scope plus every file read, in reading order. */
export interface ConfigDocument {
  readonly root: ConfigScope;
  readonly files: string[];
}

/**
 * Key of a child scope in `ConfigScope.scopes`. Names never contain whitespace, so the space
 * separator cannot collide. Instance names are compared exactly (case-sensitive).
 */
export function scopeKey(nameLower: string, instance: string | undefined): string {
  return instance === undefined ? nameLower : `${nameLower} ${instance}`;
}

/** Look up a child scope by name (any case) and optional instance. */
export function findScope(
  parent: ConfigScope,
  name: string,
  instance?: string,
): ConfigScope | undefined {
  return parent.scopes.get(scopeKey(name.toLowerCase(), instance));
}

/** A plain copy of a node's position. */
export function posOf(p: Pos): Pos {
  return { file: p.file, line: p.line, col: p.col };
}
