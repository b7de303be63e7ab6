/**
 * Prints a parsed file, a statement list or a merged document back to valid config text.
 * Round trip: stripPositions(parseText(printConfig(x)).body) equals stripPositions(x.body) for
 * every model whose barewords are valid barewords (others are printed quoted).
 */
import type { ConfigDocument, ConfigScope, Scalar, Stmt, Value } from './model.js';
import { isBareword } from './chars.js';

/** Double-quoted form that parses back to exactly `s`. */
export function quoteString(s: string): string {
  let out = '"';
  let chunk = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | undefined;
    if (c === 34) rep = '\\"';
    else if (c === 92) rep = '\\\\';
    else if (c === 10) rep = '\\n';
    else if (c === 13) rep = '\\r';
    else if (c === 9) rep = '\\t';
    if (rep !== undefined) {
      out += s.slice(chunk, i) + rep;
      chunk = i + 1;
    }
  }
  return `${out}${s.slice(chunk)}"`;
}

function printScalar(v: { text: string; quoted: boolean }, inList: boolean): string {
  return !v.quoted && isBareword(v.text, inList) ? v.text : quoteString(v.text);
}

function printValue(v: ValueModel, inList: boolean): string {
  switch (v.kind) {
    case 'scalar':
      return printScalar(v, inList);
    case 'array':
      return v.items.length === 0
        ? '()'
        : `( ${v.items.map((i) => printValue(i, true)).join(' ')} )`;
    case 'hash':
      return v.entries.length === 0
        ? '[]'
        : `[ ${v.entries.map((e) => `${printScalar(e.key, true)} = ${printValue(e.value, true)}`).join(' ')} ]`;
  }
}

function checkName(name: string): string {
  const l = name.toLowerCase();
  if (!isBareword(name, false) || l === 'include' || l === 'readonly_include') {
    throw new Error(`cannot print ${JSON.stringify(name)} as an option or scope name`);
  }
  return name;
}

function printStmts(body: readonly StmtModel[], indent: string, out: string[]): void {
  for (const st of body) {
    if (st.kind === 'option')
      out.push(`${indent}${checkName(st.name)} = ${printValue(st.value, false)}\n`);
    else if (st.kind === 'include') {
      out.push(
        `${indent}${st.readonly ? 'readonly_include' : 'include'} ${quoteString(st.path.text)}\n`,
      );
    } else {
      const inst = st.instance ? ` ${printScalar(st.instance, false)}` : '';
      out.push(`${indent}${checkName(st.name)}${inst} {\n`);
      printStmts(st.body, `${indent}  `, out);
      out.push(`${indent}}\n`);
    }
  }
}

function printScope(s: ConfigScope, indent: string, out: string[]): void {
  for (const o of s.options.values())
    out.push(`${indent}${checkName(o.name)} = ${printValue(o.value, false)}\n`);
  for (const c of s.scopes.values()) {
    const inst = c.instance ? ` ${printScalar(c.instance, false)}` : '';
    out.push(`${indent}${checkName(c.name)}${inst} {\n`);
    printScope(c, `${indent}  `, out);
    out.push(`${indent}}\n`);
  }
}

function isDoc(x: unknown): x is ConfigDocument {
  return typeof x === 'object' && x !== null && 'root' in x;
}

/** Print a parsed file, a statement list or a merged document as config text. */
export function printConfig(
  x: { readonly body: readonly StmtModel[] } | ConfigDocument | readonly StmtModel[],
): string {
  const out: string[] = [];
  if (Array.isArray(x)) printStmts(x as readonly StmtModel[], '', out);
  else if (isDoc(x)) printScope(x.root, '', out);
  else printStmts((x as { readonly body: readonly StmtModel[] }).body, '', out);
  return out.join('');
}

// ---- position-free model (tests, property tests) ---------------------------------------------

export type ScalarModel = {
  readonly kind: 'scalar';
  readonly text: string;
  readonly quoted: boolean;
};
export type ValueModel =
  | ScalarModel
  | { readonly kind: 'array'; readonly items: readonly ValueModel[] }
  | {
      readonly kind: 'hash';
      readonly entries: readonly { readonly key: ScalarModel; readonly value: ValueModel }[];
    };
export type StmtModel =
  | { readonly kind: 'option'; readonly name: string; readonly value: ValueModel }
  | {
      readonly kind: 'scope';
      readonly name: string;
      readonly instance?: ScalarModel;
      readonly body: readonly StmtModel[];
    }
  | { readonly kind: 'include'; readonly readonly: boolean; readonly path: ScalarModel };

function stripScalar(s: Scalar): ScalarModel {
  return { kind: 'scalar', text: s.text, quoted: s.quoted };
}

export function stripValue(v: Value): ValueModel {
  switch (v.kind) {
    case 'scalar':
      return stripScalar(v);
    case 'array':
      return { kind: 'array', items: v.items.map(stripValue) };
    case 'hash':
      return {
        kind: 'hash',
        entries: v.entries.map((e) => ({ key: stripScalar(e.key), value: stripValue(e.value) })),
      };
  }
}

/** The statements without positions. */
export function stripPositions(body: readonly Stmt[]): StmtModel[] {
  return body.map((st): StmtModel => {
    if (st.kind === 'option') return { kind: 'option', name: st.name, value: stripValue(st.value) };
    if (st.kind === 'include')
      return { kind: 'include', readonly: st.readonly, path: stripScalar(st.path) };
    return st.instance
      ? {
          kind: 'scope',
          name: st.name,
          instance: stripScalar(st.instance),
          body: stripPositions(st.body),
        }
      : { kind: 'scope', name: st.name, body: stripPositions(st.body) };
  });
}
