// Build: bundle the CLI with esbuild into dist/secwrap.cjs, then produce dist/secwrap.
// dist/secwrap is the command every test, bats suite and benchmark runs.
import { build } from 'esbuild';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
mkdirSync(dist, { recursive: true });

await build({
  entryPoints: [join(root, 'cmd/secwrap.ts')],
  outfile: join(dist, 'secwrap.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'none',
  // yargs' ESM shim reads import.meta.url; in a CommonJS bundle it becomes this file's URL.
  define: { 'import.meta.url': '__secwrap_import_meta_url' },
  banner: { js: "const __secwrap_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
});

// Launcher: exec the bundle with the Node that ran the build (same PID: `exec`).
const launcher = join(dist, 'secwrap');
writeFileSync(
  launcher,
  `#!/bin/sh\nexec '${process.execPath}' '${join(dist, 'secwrap.cjs')}' "$@"\n`,
);
chmodSync(launcher, 0o755);
