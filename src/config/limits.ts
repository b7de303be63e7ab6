/**
 * Hard bounds on what one configuration load may cost. A hostile configuration must never hang,
 * recurse without bound or exhaust memory; exceeding any bound is a ConfigError with a position.
 *
 * - MAX_NESTING: scopes, arrays and hashes nested inside each other, counted across include
 *   boundaries (a scope opened in an included file nests under the including scope). 64.
 * - MAX_INCLUDE_DEPTH: include statements followed in a chain (main -> a -> b ... ). 16.
 * - MAX_TOTAL_BYTES: bytes read from all files of one load together. 64 MiB.
 * - MAX_FILES: files and folders opened in one load (a file included twice counts twice). 4096.
 * - MAX_DIR_ENTRIES: entries listed from one included folder. 65536.
 * - MAX_NODES: statements plus values parsed in one load (or one parseText call); bounds the
 *   memory of the in-memory tree (~150 bytes per node, so at most a few hundred MB). 2,000,000.
 *
 * The parser recurses only per nesting level and the loader only per include level, so the JS
 * stack depth is bounded by MAX_NESTING * small constant + MAX_INCLUDE_DEPTH.
 */
export const MAX_NESTING = 64;
export const MAX_INCLUDE_DEPTH = 16;
export const MAX_TOTAL_BYTES = 64 * 1024 * 1024;
export const MAX_FILES = 4096;
export const MAX_DIR_ENTRIES = 65536;
export const MAX_NODES = 2_000_000;

/** Overridable bounds (tests lower them to exercise each one cheaply). */
export interface Limits {
  maxNesting: number;
  maxIncludeDepth: number;
  maxTotalBytes: number;
  maxFiles: number;
  maxDirEntries: number;
  maxNodes: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxNesting: MAX_NESTING,
  maxIncludeDepth: MAX_INCLUDE_DEPTH,
  maxTotalBytes: MAX_TOTAL_BYTES,
  maxFiles: MAX_FILES,
  maxDirEntries: MAX_DIR_ENTRIES,
  maxNodes: MAX_NODES,
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
