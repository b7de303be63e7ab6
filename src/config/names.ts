/**
 * Interned statement names (NameTable), and the string hash and probe bound that it shares with
 * the child-scope table of store.ts.
 */
import type { Codes } from './text.js';

/**
 * The open-addressing tables (names here, child scopes in store.ts) hash with a fixed,
 * public function, so a config could be crafted whose names all collide ("Aa" and "BB" do), and
 * each lookup would scan all earlier ones: quadratic in the config's size. A probe sequence longer
 * than this, which random-looking input practically never produces at the tables' load (at most
 * one half), switches the table for good to a Map, whose string hashing V8 seeds per process.
 */
export const MAX_PROBES = 64;

/** Step of the string hash used for names and scope instances (the same over codes and strings). */
export function hashStep(h: number, c: number): number {
  return (Math.imul(h, 31) + c) | 0;
}

/** Final mixing of a hashStep hash (spreads the high bits into the low bits used as an index). */
export function hashFinish(h: number): number {
  return (h ^ (h >>> 15)) | 0;
}

/** Hash of codes[start, end). */
export function hashCodes(codes: Codes, start: number, end: number): number {
  let h = 0;
  for (let i = start; i < end; i++) h = hashStep(h, codes[i]!);
  return hashFinish(h);
}

/** Hash of a string; equals hashCodes over the same code units. */
export function hashString(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = hashStep(h, s.charCodeAt(i));
  return hashFinish(h);
}

export interface NameEntry {
  readonly name: string;
  readonly lower: string;
  /** Index of this entry in its NameTable. */
  readonly id: number;
  /** Id of `lower` (equal for names that differ only in case): the option key as an int. */
  readonly lowerId: number;
  /** The code units of `name`, compared with the scanned text (cheaper than charCodeAt). */
  readonly codes: Uint16Array;
  /** INCLUDE / READONLY_INCLUDE if `lower` is that keyword, else 0 (an int test per statement). */
  readonly keyword: number;
}

/** NameEntry.keyword of `include` and `readonly_include` (any case). */
export const INCLUDE = 1;
export const READONLY_INCLUDE = 2;

/**
 * Interned statement names of one load. Looked up by a hash computed while scanning, and compared
 * against the source text in place, so a repeated name costs no allocation at all.
 */
export class NameTable {
  private hashes = new Int32Array(256);
  private entries: (NameEntry | undefined)[] = new Array<NameEntry | undefined>(256).fill(
    undefined,
  );
  private size = 0;
  private readonly byId: NameEntry[] = [];
  private readonly lowers: string[] = [];
  private readonly lowerIds = new Map<string, number>();
  /** After a too-long probe sequence (MAX_PROBES): every name by its text, instead of hashes. */
  private byName: Map<string, NameEntry> | undefined;

  entry(id: number): NameEntry {
    return this.byId[id]!;
  }

  /** How many different names the table holds. */
  get count(): number {
    return this.byId.length;
  }

  lowerOf(lowerId: number): string {
    return this.lowers[lowerId]!;
  }

  /** The entry of the name src[start, end) (codes: its code units, h: hashCodes of them). */
  lookup(src: string, codes: Codes, start: number, end: number, h: number): NameEntry {
    if (this.byName !== undefined) return this.lookupByName(src, codes, start, end);
    let mask = this.hashes.length - 1;
    const len = end - start;
    let probes = 0;
    for (let k = h & mask; ; k = (k + 1) & mask) {
      const e = this.entries[k];
      if (e === undefined) break;
      if (this.hashes[k] === h && sameCodes(e.codes, codes, start, len)) return e;
      if (++probes > MAX_PROBES) {
        this.toMap(e);
        return this.lookupByName(src, codes, start, end);
      }
    }
    const e = this.add(src.slice(start, end), codes.subarray(start, end));
    if ((this.size + 1) * 2 > this.hashes.length) {
      this.grow();
      mask = this.hashes.length - 1;
    }
    let k = h & mask;
    for (let probes = 0; this.entries[k] !== undefined; probes++) {
      if (probes > MAX_PROBES) return this.toMap(e);
      k = (k + 1) & mask;
    }
    this.entries[k] = e;
    this.hashes[k] = h;
    this.size++;
    return e;
  }

  /** Give up hashing (see MAX_PROBES): every name, `e` included, by its text from now on. */
  private toMap(e: NameEntry): NameEntry {
    this.byName = new Map(this.byId.map((x) => [x.name, x]));
    this.hashes = new Int32Array(0);
    this.entries = [];
    return e;
  }

  private lookupByName(src: string, codes: Codes, start: number, end: number): NameEntry {
    const name = src.slice(start, end);
    let e = this.byName!.get(name);
    if (e === undefined) {
      e = this.add(name, codes.subarray(start, end));
      this.byName!.set(name, e);
    }
    return e;
  }

  private add(name: string, nameCodes: Codes): NameEntry {
    const lower = name.toLowerCase();
    let lowerId = this.lowerIds.get(lower);
    if (lowerId === undefined) {
      lowerId = this.lowers.length;
      this.lowers.push(lower);
      this.lowerIds.set(lower, lowerId);
    }
    const keyword =
      lower === 'include' ? INCLUDE : lower === 'readonly_include' ? READONLY_INCLUDE : 0;
    const id = this.byId.length;
    const e: NameEntry = { name, lower, id, lowerId, codes: Uint16Array.from(nameCodes), keyword };
    this.byId.push(e);
    return e;
  }

  private grow(): void {
    const oh = this.hashes;
    const oe = this.entries;
    const n = oh.length * 2;
    this.hashes = new Int32Array(n);
    this.entries = new Array<NameEntry | undefined>(n).fill(undefined);
    const mask = n - 1;
    for (let j = 0; j < oh.length; j++) {
      const e = oe[j];
      if (e === undefined) continue;
      let k = oh[j]! & mask;
      while (this.entries[k] !== undefined) k = (k + 1) & mask;
      this.entries[k] = e;
      this.hashes[k] = oh[j]!;
    }
  }
}

/** True if codes[start, start+len) equals `name` (a plain loop: inlined, unlike startsWith). */
function sameCodes(name: Uint16Array, codes: Codes, start: number, len: number): boolean {
  if (name.length !== len) return false;
  for (let k = 0; k < len; k++) if (name[k] !== codes[start + k]) return false;
  return true;
}
