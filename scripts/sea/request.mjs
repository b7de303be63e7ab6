// @ts-check
// The bench's request (nobody, nogroup, cap_net_bind_service), as a config file in a fresh folder
// that the trust rule accepts. The build's training runs (scripts/build.mjs) and the arm64 smoke
// figure (bench/arm64-smoke.mjs) run the exec path on it.
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the folder goes. As root, secwrap obeys only a config whose every folder on the way is
 * root's and not writable by others (src/trust/path.ts): /tmp (mode 1777) would be refused, and
 * the run would end at the refusal instead of execve. /run is root's 0755 on Debian and in
 * containers; elsewhere, or unprivileged (where nothing is enforced), tmpdir().
 */
function requestParent() {
  if (process.getuid?.() !== 0) return tmpdir();
  try {
    const st = statSync('/run');
    if (st.isDirectory() && st.uid === 0 && (st.mode & 0o022) === 0) return '/run';
  } catch {
    // no /run: tmpdir() below
  }
  return tmpdir();
}

/**
 * A fresh folder (mode 0755: searchable after the drop, so a command named inside it fails with
 * ENOENT, not EACCES) holding ecelerity.conf (0644) with the bench's request. The caller removes
 * `dir`.
 * @param {string} prefix the folder name's prefix
 * @returns {{ dir: string, conf: string }}
 */
export function writeRequest(prefix) {
  const dir = mkdtempSync(join(requestParent(), prefix));
  chmodSync(dir, 0o755);
  const conf = join(dir, 'ecelerity.conf');
  writeFileSync(
    conf,
    'security {\n  user = nobody\n  group = nogroup\n  capabilities = "cap_net_bind_service+ep"\n}\n',
    { mode: 0o644 },
  );
  return { dir, conf };
}
