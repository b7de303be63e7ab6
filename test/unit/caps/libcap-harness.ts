/**
 * Builds and drives test/differential/caps/harness.c, a small C program over the real
 * libcap. No fallback: if the compiler or libcap's headers are missing this throws, telling
 * what to install, so a test that needs it fails rather than skips.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const INSTALL_HINT =
  'install the C compiler and libcap headers: apt-get install -y gcc libc6-dev libcap-dev';

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (
      existsSync(join(dir, 'package.json')) &&
      existsSync(join(dir, 'test', 'differential', 'caps', 'harness.c'))
    ) {
      return dir;
    }
    const up = resolve(dir, '..');
    if (up === dir)
      throw new Error('cannot find the repository root (test/differential/caps/harness.c)');
    dir = up;
  }
}

export interface Harness {
  /** Runs commands (one per element, without newline); returns one output line per command. */
  run(commands: string[]): string[];
  /** Removes the temporary build directory. */
  dispose(): void;
}

export function buildHarness(): Harness {
  const source = join(repoRoot(), 'test', 'differential', 'caps', 'harness.c');
  const cc = spawnSync('cc', ['--version'], { encoding: 'utf8' });
  if (cc.error || cc.status !== 0) {
    throw new Error(
      `no working C compiler "cc" (${cc.error?.message ?? cc.stderr}); ${INSTALL_HINT}`,
    );
  }
  if (!existsSync('/usr/include/sys/capability.h')) {
    throw new Error(`libcap headers missing (/usr/include/sys/capability.h); ${INSTALL_HINT}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'secwrap-capharness-'));
  const exe = join(dir, 'harness');
  const build = spawnSync('cc', ['-O1', '-Wall', '-o', exe, source, '-lcap'], { encoding: 'utf8' });
  if (build.error || build.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `compiling ${source} with -lcap failed: ${build.error?.message ?? build.stderr}; ${INSTALL_HINT}`,
    );
  }
  return {
    run(commands: string[]): string[] {
      const r = spawnSync(exe, [], {
        input: commands.map((c) => c + '\n').join(''),
        encoding: 'utf8',
        maxBuffer: 1 << 30,
      });
      if (r.error || r.status !== 0) {
        throw new Error(`harness failed: ${r.error?.message ?? `exit ${r.status}: ${r.stderr}`}`);
      }
      const lines = r.stdout.split('\n');
      if (lines.at(-1) === '') lines.pop();
      return lines;
    },
    dispose(): void {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The `F` command for cap_from_text(text): the text hex-encoded as UTF-8. */
export function fromTextCommand(text: string): string {
  return 'F ' + Buffer.from(text, 'utf8').toString('hex');
}

export function toTextCommand(e: bigint, i: bigint, p: bigint): string {
  const h = (m: bigint) => m.toString(16).padStart(16, '0');
  return `T ${h(e)} ${h(i)} ${h(p)}`;
}
