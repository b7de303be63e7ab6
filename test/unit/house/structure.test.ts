/**
 * The house's structure, read from the imports of cmd/ and src/ (type-only imports included):
 * every import goes down a floor or stays on its own, never up, and no file imports itself
 * through others. The floors, lowest first:
 *
 *   0  src/errors.ts  src/digits.ts
 *   1  src/config  src/caps  src/libc  src/proc      (the ground floor: no lookups of their own)
 *   2  src/identity  src/trust                       (resolve)
 *   3  src/plan
 *   4  src/apply                                     (apply, verify)
 *   5  src/exec                                      (hand-off, exec)
 *   6  cmd                                           (the CLI)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

const FLOORS: ReadonlyArray<[string, number]> = [
  ['src/errors.ts', 0],
  ['src/digits.ts', 0],
  ['src/config/', 1],
  ['src/caps/', 1],
  ['src/libc/', 1],
  ['src/proc/', 1],
  ['src/identity/', 2],
  ['src/trust/', 2],
  ['src/plan/', 3],
  ['src/apply/', 4],
  ['src/exec/', 5],
  ['cmd/', 6],
];

function floorOf(file: string): number {
  const hit = FLOORS.find(([prefix]) => file === prefix || file.startsWith(prefix));
  if (!hit) throw new Error(`${file} is on no floor: add its folder to FLOORS`);
  return hit[1];
}

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const rel = `${dir}/${name}`;
    if (statSync(join(root, rel)).isDirectory()) return sources(rel);
    return rel.endsWith('.ts') ? [rel] : [];
  });
}

/** Every relative import of `file` (static, type-only, re-exports, dynamic), as repository paths. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => relative(root, resolve(root, dirname(file), spec)).replace(/\.js$/, '.ts'));
}

const files = [...sources('src'), ...sources('cmd')];
const graph = new Map(files.map((f) => [f, importsOf(f)]));

test('the structure check reads real imports (control)', () => {
  assert.ok(files.length > 30, `only ${files.length} files found`);
  assert.ok(graph.get('cmd/commands.ts')!.includes('src/apply/apply.ts'));
  // type-only imports count: steps.ts imports CapSets as a type only
  assert.ok(graph.get('src/plan/steps.ts')!.includes('src/libc/libc.ts'));
});

test('every import resolves to a file of the repository', () => {
  const missing = [...graph].flatMap(([f, deps]) =>
    deps.filter((d) => !graph.has(d)).map((d) => `${f} -> ${d}`),
  );
  assert.deepEqual(missing, []);
});

test('no import runs up a floor', () => {
  const upward = [...graph].flatMap(([f, deps]) =>
    deps
      .filter((d) => floorOf(d) > floorOf(f))
      .map((d) => `${f} (floor ${floorOf(f)}) imports ${d} (floor ${floorOf(d)})`),
  );
  assert.deepEqual(upward, []);
});

test('no import cycle, type-only imports included', () => {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    path.push(f);
    for (const d of graph.get(f) ?? []) {
      if (state.get(d) === 'open') cycles.push([...path.slice(path.indexOf(d)), d].join(' -> '));
      else if (!state.has(d)) visit(d);
    }
    path.pop();
    state.set(f, 'done');
  };
  for (const f of files) if (!state.has(f)) visit(f);
  assert.deepEqual(cycles, []);
});
