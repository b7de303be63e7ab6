/**
 * The `security` scope: extraction, validation and `check --json` rendering.
 *
 * Rules (reference Decisions + module decisions):
 * - `security` (any case) is a global-level scope only. Nested anywhere else, given an instance
 *   name (`security foo {`) or used as an option (`security = x`) it is an error.
 * - Options: user, group, supplemental_groups, chroot, capabilities, privileges (any case).
 *   Anything else is an error with a did-you-mean hint (Damerau-Levenshtein distance).
 *   A nested scope inside security is an error.
 * - Several stanzas merge, later value wins per option. EVERY value given to a security option is
 *   validated, including ones later overridden (a bad value never hides behind a good one).
 * - user, group, chroot, capabilities, privileges: a scalar (bareword or string).
 *   user, group: non-empty. chroot: absolute path. capabilities/privileges may be empty.
 *   supplemental_groups: an array (only) of non-empty scalars; `()` is an empty list.
 *   No value may contain a NUL character (they reach C APIs).
 * - sources record the position of the VALUE that won (file:line:col).
 */
import { ConfigError, type Pos } from '../errors.js';
import {
  posOf,
  type ConfigDocument,
  type ConfigOption,
  type ConfigScope,
  type Value,
} from './model.js';

export interface SecuritySettings {
  user?: string;
  group?: string;
  supplemental_groups?: string[];
  chroot?: string;
  capabilities?: string;
  privileges?: string;
}
export type SecurityOption = keyof SecuritySettings;
export interface SecurityScope {
  settings: SecuritySettings;
  sources: Partial<Record<SecurityOption, Pos>>;
}

/** Canonical order (also the order of `check --json`). */
export const SECURITY_OPTIONS: readonly SecurityOption[] = Object.freeze([
  'user',
  'group',
  'supplemental_groups',
  'chroot',
  'capabilities',
  'privileges',
]);

const KNOWN = new Set<string>(SECURITY_OPTIONS);

/** Optimal-string-alignment (Damerau-Levenshtein) distance. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  if (m === 0) return n;
  if (n === 0) return m;
  let pp = new Array<number>(n + 1).fill(0);
  let p = Array.from({ length: n + 1 }, (_, j) => j);
  let c = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= m; i++) {
    c[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(p[j]! + 1, c[j - 1]! + 1, p[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, pp[j - 2]! + 1);
      c[j] = v;
    }
    [pp, p, c] = [p, c, pp];
  }
  return p[n]!;
}

/** The closest security option name, if close enough to be a plausible typo. */
export function suggestOption(name: string): SecurityOption | undefined {
  const lower = name.toLowerCase();
  if (lower.length > 64) return undefined;
  let best: SecurityOption | undefined;
  let bestD = Infinity;
  for (const o of SECURITY_OPTIONS) {
    const d = editDistance(lower, o);
    if (d < bestD) {
      bestD = d;
      best = o;
    }
  }
  if (best === undefined) return undefined;
  const allowed = Math.max(1, Math.min(3, Math.floor(best.length / 3)));
  return bestD <= allowed ? best : undefined;
}

function q(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);
}

function shapeName(v: Value): string {
  return v.kind === 'scalar' ? 'a single value' : v.kind === 'array' ? 'a list' : 'a hash';
}

function checkNul(opt: string, text: string, at: Pos): void {
  if (text.includes('\0'))
    throw new ConfigError(posOf(at), `${opt} must not contain a NUL character`);
}

/** Validate one value given to security option `o` (already known). */
function validateValue(o: SecurityOption, v: Value): void {
  if (o === 'supplemental_groups') {
    if (v.kind !== 'array') {
      throw new ConfigError(
        posOf(v),
        `supplemental_groups must be a list such as ( ecmail 4243 ), not ${shapeName(v)}`,
      );
    }
    for (const it of v.items) {
      if (it.kind !== 'scalar') {
        throw new ConfigError(
          posOf(it),
          `supplemental_groups items must be group names or ids (a word or a quoted string), not ${shapeName(it)}`,
        );
      }
      if (it.text === '')
        throw new ConfigError(posOf(it), 'supplemental_groups items must not be empty');
      checkNul(o, it.text, it);
    }
    return;
  }
  if (v.kind !== 'scalar') {
    throw new ConfigError(
      posOf(v),
      `${o} must be a single value (a word or a quoted string), not ${shapeName(v)}`,
    );
  }
  checkNul(o, v.text, v);
  if ((o === 'user' || o === 'group' || o === 'chroot') && v.text === '') {
    throw new ConfigError(posOf(v), `${o} must not be empty`);
  }
  if (o === 'chroot' && !v.text.startsWith('/')) {
    throw new ConfigError(posOf(v), `chroot must be an absolute path, got ${q(v.text)}`);
  }
}

function validateDocument(doc: ConfigDocument): void {
  const root = doc.root;
  const asOption = root.options.get('security');
  if (asOption) {
    throw new ConfigError(
      posOf(asOption),
      `"${asOption.name}" must be a scope: security { ... }, not an option`,
    );
  }
  for (const s of root.scopes.values()) {
    if (s.nameLower === 'security' && s.instance !== undefined) {
      throw new ConfigError(
        posOf(s),
        `the security scope takes no instance name (found ${q(s.instance.text)}); write security { ... }`,
      );
    }
  }
  // security nested anywhere below the global scope (iterative walk, bounded by tree size)
  const stack: ConfigScope[] = [...root.scopeList];
  while (stack.length > 0) {
    const s = stack.pop()!;
    for (const c of s.scopeList) {
      if (c.nameLower === 'security') {
        throw new ConfigError(
          posOf(c),
          `the security scope is only valid at the global level, not inside ${q(s.name)}`,
        );
      }
      stack.push(c);
    }
  }
  const sec = root.scopes.get('security');
  if (sec === undefined) return;
  for (const c of sec.scopes.values()) {
    throw new ConfigError(posOf(c), `scope ${q(c.name)} is not allowed inside the security scope`);
  }
  for (const [k, opt] of sec.options) {
    if (!KNOWN.has(k)) {
      const hint = suggestOption(k);
      throw new ConfigError(
        posOf(opt),
        hint
          ? `unknown option ${q(opt.name)} in security scope; did you mean "${hint}"?`
          : `unknown option ${q(opt.name)} in security scope; valid options are ${SECURITY_OPTIONS.join(', ')}`,
      );
    }
    // validate every value ever given, oldest first
    const chain: ConfigOption[] = [];
    for (let o: ConfigOption | undefined = opt; o; o = o.previous) chain.push(o);
    for (let i = chain.length - 1; i >= 0; i--) validateValue(k as SecurityOption, chain[i]!.value);
  }
}

/** The effective security scope of a loaded document (validated unless opts.validate === false). */
export function securityScope(
  doc: ConfigDocument,
  opts: { validate?: boolean } = {},
): SecurityScope {
  const validate = opts.validate !== false;
  if (validate) validateDocument(doc);
  const settings: SecuritySettings = {};
  const sources: Partial<Record<SecurityOption, Pos>> = {};
  const sec = doc.root.scopes.get('security');
  if (sec === undefined) return { settings, sources };
  for (const o of SECURITY_OPTIONS) {
    const opt = sec.options.get(o);
    if (opt === undefined) continue;
    const v = opt.value;
    if (o === 'supplemental_groups') {
      // without validation, take what has the right shape and ignore the rest
      if (v.kind !== 'array') continue;
      const groups: string[] = [];
      for (const it of v.items) if (it.kind === 'scalar') groups.push(it.text);
      settings.supplemental_groups = groups;
    } else {
      if (v.kind !== 'scalar') continue;
      settings[o] = v.text;
    }
    sources[o] = posOf(v);
  }
  return { settings, sources };
}

/** What `secwrap check --json` prints. */
export function checkJson(scope: SecurityScope): {
  security: Record<string, string | string[]>;
  sources: Record<string, string>;
} {
  const security: Record<string, string | string[]> = {};
  const sources: Record<string, string> = {};
  for (const o of SECURITY_OPTIONS) {
    const v = scope.settings[o];
    if (v === undefined) continue;
    security[o] = Array.isArray(v) ? [...v] : v;
    const p = scope.sources[o];
    if (p !== undefined) sources[o] = `${p.file}:${p.line}`;
  }
  return { security, sources };
}
