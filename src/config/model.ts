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
