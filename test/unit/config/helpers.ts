/** Shared helpers for the config unit tests (not a test file itself). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../src/errors.js';

/** test/fixtures/config (works from build/test/unit/config and test/unit/config alike). */
export const FIXTURES = fileURLToPath(
  new URL('../../../../test/fixtures/config/', import.meta.url),
);

export function fixture(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

/** A fresh temp folder; removed by the returned cleanup. */
export function tmpDir(): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'secwrap-config-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Write files (relative path -> content) under dir; returns dir. */
export function writeTree(dir: string, files: Record<string, string>): string {
  for (const [rel, content] of Object.entries(files)) {
    const p = join(dir, rel);
    fs.mkdirSync(join(p, '..'), { recursive: true });
    fs.writeFileSync(p, content);
  }
  return dir;
}

/** Assert fn throws a ConfigError at file:line:col whose detail matches. */
export function assertConfigError(
  fn: () => unknown,
  where: { file?: string; line: number; col?: number },
  detail: string | RegExp,
): ConfigError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== undefined, 'expected a ConfigError, nothing was thrown');
  assert.ok(caught instanceof ConfigError, `expected ConfigError, got ${String(caught)}`);
  const e = caught;
  if (where.file !== undefined) assert.equal(e.pos.file, where.file, e.message);
  assert.equal(e.pos.line, where.line, `line of: ${e.message}`);
  if (where.col !== undefined) assert.equal(e.pos.col, where.col, `col of: ${e.message}`);
  if (typeof detail === 'string')
    assert.ok(
      e.detail.includes(detail),
      `detail ${JSON.stringify(e.detail)} lacks ${JSON.stringify(detail)}`,
    );
  else assert.match(e.detail, detail);
  assert.ok(e.message.startsWith(`${e.pos.file}:${e.pos.line}:${e.pos.col}: `), e.message);
  return e;
}

/** Number of open file descriptors of this process. */
export function openFdCount(): number {
  return fs.readdirSync('/proc/self/fd').length;
}
