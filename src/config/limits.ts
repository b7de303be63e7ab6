/**
 * Hard bounds on what one configuration load may cost. A hostile configuration must never hang,
 * recurse without bound or exhaust memory; exceeding any bound is a ConfigError with a position.
 *
 * - MAX_NESTING: scopes, arrays and hashes nested inside each other, counted across include
 *   boundaries (a scope opened in an included file nests under the including scope). 64.
 * - MAX_INCLUDE_DEPTH: include statements followed in a chain (main -> a -> b ... ). 16.
 * - MAX_TOTAL_BYTES: bytes read from all files of one load together. 16 MiB.
 * - MAX_FILES: files and folders opened in one load (a file included twice counts twice). 4096.
 * - MAX_DIR_ENTRIES: entries listed from one included folder. 65536.
 * - MAX_NODES: statements plus values parsed in one load (or one parseText call). 500,000.
 * - MAX_SCOPES: scopes opened in one load (a reopened scope counts again). 50,000.
 * - MAX_NAMES: different option and scope names (as written) in one load. 25,000.
 *
 * Why these figures: memory, not parsing time, is what a hostile config exhausts first, and the
 * cost per node depends on its shape. A value in an array or a repeated option costs tens of
 * bytes; an option with a name of its own costs about 800 bytes, and a scope about 1 KiB (its
 * node, its entry in its parent's child index, its name). With a single bound of 2,000,000
 * nodes, two million sibling scopes with distinct names were accepted and took about 2 GB. So
 * scopes and distinct names have bounds of their own, and the node bound is set so that the
 * worst mix of all of them stays well under 256 MiB of peak RSS. The worst inputs measured at
 * these bounds (docs/config-language.md has the table) are 49,990 scopes with 4 options each
 * (500,000 nodes) and a security scope whose supplemental_groups holds 249,981 entries, both
 * near 175 MiB on the single executable, whose own start takes about 90 MiB. The bench's 5 MB
 * config in 27 files needs 338,880 nodes and 27,141 scopes, and the unit tests derive their
 * inputs from these constants.
 *
 * The parser recurses only per nesting level and the loader only per include level, so the JS
 * stack depth is bounded by MAX_NESTING * small constant + MAX_INCLUDE_DEPTH.
 */
export const MAX_NESTING = 64;
export const MAX_INCLUDE_DEPTH = 16;
export const MAX_TOTAL_BYTES = 16 * 1024 * 1024;
export const MAX_FILES = 4096;
export const MAX_DIR_ENTRIES = 65536;
export const MAX_NODES = 500_000;
export const MAX_SCOPES = 50_000;
export const MAX_NAMES = 25_000;

/** Overridable bounds (tests lower them to exercise each one cheaply). */
export interface Limits {
  maxNesting: number;
  maxIncludeDepth: number;
  maxTotalBytes: number;
  maxFiles: number;
  maxDirEntries: number;
  maxNodes: number;
  maxScopes: number;
  maxNames: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxNesting: MAX_NESTING,
  maxIncludeDepth: MAX_INCLUDE_DEPTH,
  maxTotalBytes: MAX_TOTAL_BYTES,
  maxFiles: MAX_FILES,
  maxDirEntries: MAX_DIR_ENTRIES,
  maxNodes: MAX_NODES,
  maxScopes: MAX_SCOPES,
  maxNames: MAX_NAMES,
});

/**
 * Resolve overrides. Overrides may only lower a bound, never raise it above the default, so a
 * caller cannot accidentally disable the protection.
 */
export function resolveLimits(over?: Partial<Limits>): Limits {
  const l: Limits = { ...DEFAULT_LIMITS };
  if (over) {
    for (const k of Object.keys(l) as (keyof Limits)[]) {
      const v = over[k];
      if (v !== undefined && Number.isFinite(v) && v >= 0 && v < l[k]) l[k] = Math.floor(v);
    }
  }
  return l;
}
