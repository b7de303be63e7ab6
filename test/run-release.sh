#!/usr/bin/env bash
# The release stage of npm test: makes the release and the npm packages as a user would get
# them, and checks what they hold and that they work. Each of x64 and arm64 has a tarball, a
# .deb and an SBOM; the arm64 executable runs here under qemu-user (`qemu-aarch64-static -L
# SYSROOT`, scripts/cross/sysroot.sh), as the build runs it:
#   1. `npm run release` (build + dist/release/), then `sha256sum -c SHA256SUMS` over the six;
#   2. each tarball: its folder layout, owners and dates, `bin/secwrap` the ELF file for its
#      machine with the bytes of dist/secwrap-linux-ARCH, `--version`, a real drop, the
#      completion; the arm64 one's other files equal the x64 one's;
#   3. the man page: `man --warnings -l` and `groff -ww` silent, the sections, every option of
#      `--help` in OPTIONS;
#   4. each .deb: `dpkg-deb -I` fields (Architecture; Depends names libc6, libstdc++6,
#      libgcc-s1, libatomic1 with versions from the symbols files), `dpkg-deb -c` paths and
#      owners, /usr/bin/secwrap = dist/secwrap-linux-ARCH and its `--version`, lintian without
#      errors or warnings (the image stage installs the amd64 one in a container);
#   5. each SBOM: CycloneDX, node, ffi-rs, the ffi-rs addon of that architecture and yargs with
#      the versions of the packages the build used, that executable's sha-256, nothing of the
#      other architecture, every npm package of the build's metafiles;
#   6. reproducible: a second release from a copy of the sources in another folder (same
#      executables, --no-build: the build's own reproducibility is a unit test) gives the same
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
# Node's architecture names, and Debian's for the .deb.
archs=(x64 arm64)
declare -A debarch=([x64]=amd64 [arm64]=arm64) elf=([x64]=x86-64 [arm64]=aarch64)
# ELF e_machine of each (EM_X86_64, EM_AARCH64), and a file's: "ELF64 LE executable, machine N"
# from its header (class, data, type, machine; `file` is not among the test's packages).
declare -A em=([x64]=62 [arm64]=183)
elf_of() {
  local h
  h=$(od -An -tx1 -N18 "$1" | tr -d ' \n')
  [[ ${h:0:8} == 7f454c46 ]] || { echo "not ELF"; return; }
  echo "ELF$([[ ${h:8:2} == 02 ]] && echo 64 || echo 32) $([[ ${h:10:2} == 01 ]] && echo LE || echo BE) $([[ ${h:32:4} == 0200 ]] && echo executable || echo "type ${h:32:4}"), machine $(od -An -tu2 -j18 -N2 "$1" | tr -d ' ')"
}
tarball_of() { echo "secwrap-$version-linux-$1.tar.gz"; }
deb_of() { echo "secwrap_${version}_${debarch[$1]}.deb"; }
sbom_of() { echo "secwrap-$version-linux-$1.cdx.json"; }
# How this machine runs each executable: the x64 one natively, the arm64 one under qemu-user
# with the build's sysroot (its libc, libstdc++, libgcc-s, libatomic). Made once, reused.
sysroot=$(bash "$root/scripts/cross/sysroot.sh" arm64) || { no "the arm64 sysroot (scripts/cross/sysroot.sh arm64)"; finish; }
declare -A runner=([x64]="" [arm64]="qemu-aarch64-static -L $sysroot")

# --- 1. release ----------------------------------------------------------------------------------
echo "# npm run release (SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH)"
if npm run --silent release >"$tmp/release.log" 2>&1; then ok "npm run release"; else
  tail -20 "$tmp/release.log"
  no "npm run release"
  finish
fi
sed 's/^/#   /' "$tmp/release.log" | grep 'bytes' || true
check "sha256sum -c SHA256SUMS" bash -c "cd '$rel' && sha256sum -c SHA256SUMS"
expected=$(for a in "${archs[@]}"; do tarball_of "$a"; deb_of "$a"; sbom_of "$a"; done | LC_ALL=C sort | tr '\n' ' ')
check "SHA256SUMS covers exactly the tarball, the .deb and the SBOM of x64 and arm64" \
  bash -c "[[ \$(awk '{print \$2}' '$rel/SHA256SUMS' | LC_ALL=C sort | tr '\n' ' ') == '$expected' ]]"

# --- 2. tarballs ---------------------------------------------------------------------------------
nobody_uid=$(id -u nobody) nogroup_gid=$(getent group nogroup | cut -d: -f3)
want="bin/secwrap LICENSE README.md share/bash-completion/completions/secwrap share/man/man1/secwrap.1"
for a in "${archs[@]}"; do
  tarball=$(tarball_of "$a") run=${runner[$a]}
  tar -xzf "$rel/$tarball" -C "$tmp"
  top="$tmp/secwrap-$version-linux-$a"
  have=$(cd "$top" && find . -type f | sed 's|^\./||' | sort | tr '\n' ' ')
  check "$a tarball: one folder secwrap-$version-linux-$a/ with $want" \
    bash -c "[[ \$(tar -tzf '$rel/$tarball' | cut -d/ -f1 | sort -u) == secwrap-$version-linux-$a && '$have' == '$(tr ' ' '\n' <<<"$want" | sort | tr '\n' ' ')' ]]"
  check "$a tarball: entries owned by 0:0, sorted, dated SOURCE_DATE_EPOCH" bash -c "
    tar --numeric-owner -tvzf '$rel/$tarball' | awk '{print \$2}' | sort -u | grep -qx '0/0' &&
    [[ \$(tar --numeric-owner -tvzf '$rel/$tarball' | awk '{print \$2}' | sort -u | wc -l) == 1 ]] &&
    tar -tzf '$rel/$tarball' | LC_ALL=C sort -c &&
    [[ \$(TZ=UTC tar --full-time -tvzf '$rel/$tarball' | awk '{print \$4\" \"\$5}' | sort -u) == \"\$(TZ=UTC date -d @$SOURCE_DATE_EPOCH '+%F %T')\" ]]"
  what=$(elf_of "$top/bin/secwrap")
  check "$a tarball: bin/secwrap is an ELF executable for ${elf[$a]} ($what), the bytes of dist/secwrap-linux-$a" \
    bash -c "[[ '$what' == 'ELF64 LE executable, machine ${em[$a]}' ]] && cmp -s '$top/bin/secwrap' '$root/dist/secwrap-linux-$a'"
  out=$($run "$top/bin/secwrap" --version 2>&1)
  echo "# ${run:+$run }bin/secwrap --version: $out"
  # The issue asks for "secwrap <version>"; the CLI prints the bare version today: both pass.
  check "$a tarball: ${run:+under ${run%% *}: }bin/secwrap --version ends with $version" bash -c "[[ '$out' == 'secwrap $version' || '$out' == '$version' ]]"
  out=$($run "$top/bin/secwrap" -u nobody -g nogroup -- sh -c 'id -u; id -g; grep -E "^Cap(Eff|Prm)" /proc/self/status' 2>&1)
  echo "# ${run:+$run }bin/secwrap -u nobody -g nogroup -- sh -c 'id -u; id -g; grep Cap...':"
  sed 's/^/#   /' <<<"$out"
  check "$a tarball: ${run:+under ${run%% *}: }a drop to nobody:nogroup with no capabilities left" bash -c "
    [[ \$(sed -n 1p <<<'$out') == $nobody_uid && \$(sed -n 2p <<<'$out') == $nogroup_gid ]] &&
    grep -q '^CapEff:[[:space:]]*0000000000000000' <<<'$out' && grep -q '^CapPrm:[[:space:]]*0000000000000000' <<<'$out'"
  check "$a tarball: the bash completion defines the completion of secwrap" bash -c "
    source '$top/share/bash-completion/completions/secwrap' && complete -p secwrap | grep -q _secwrap"
done
# The man page, the completion (printed by each executable itself), LICENSE and README.md do not
# depend on the machine.
check "arm64 tarball: every file but bin/secwrap equals the x64 tarball's" bash -c "
  cd '$tmp' && for f in LICENSE README.md share/bash-completion/completions/secwrap share/man/man1/secwrap.1; do
    cmp -s secwrap-$version-linux-x64/\$f secwrap-$version-linux-arm64/\$f || exit 1
  done"
top="$tmp/secwrap-$version-linux-x64"

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

# --- 4. .debs -----------------------------------------------------------------------------------
for a in "${archs[@]}"; do
  deb=$(deb_of "$a") da=${debarch[$a]} run=${runner[$a]}
  info=$(dpkg-deb -I "$rel/$deb")
  echo "# dpkg-deb -I $deb:"
  sed -n '/Package:/,$p' <<<"$info" | sed 's/^ */#   /'
  depends=$(dpkg-deb -f "$rel/$deb" Depends)
  check "$da .deb: dpkg-deb -I: secwrap $version, Architecture $da" bash -c "
    [[ \$(dpkg-deb -f '$rel/$deb' Package) == secwrap && \$(dpkg-deb -f '$rel/$deb' Version) == '$version' && \$(dpkg-deb -f '$rel/$deb' Architecture) == $da ]]"
  # The versions come from the libraries' symbols files (libc6's names one for each library).
  check "$da .deb: Depends names libc6 (>= …), libstdc++6, libgcc-s1, libatomic1 ($depends)" bash -c "
    for l in 'libc6 \(>= [0-9.]+\)' 'libstdc\+\+6' libgcc-s1 libatomic1; do grep -qE \"(^|, )\$l( |,|\$)\" <<<'$depends' || exit 1; done"
  contents=$(dpkg-deb -c "$rel/$deb")
  echo "# dpkg-deb -c $deb:"
  sed 's/^/#   /' <<<"$contents"
  check "$da .deb: dpkg-deb -c: /usr/bin/secwrap, the man page, the completion, the copyright, all root:root" bash -c "
    for p in ./usr/bin/secwrap ./usr/share/man/man1/secwrap.1.gz ./usr/share/bash-completion/completions/secwrap ./usr/share/doc/secwrap/copyright; do
      grep -qE \" \$p\$\" <<<'$contents' || exit 1
    done
    grep -qE '^-rwxr-xr-x root/root .* ./usr/bin/secwrap$' <<<'$contents' && [[ \$(awk '{print \$2}' <<<'$contents' | sort -u) == root/root ]]"
  x="$tmp/deb-$da"
  mkdir -p "$x" && dpkg-deb -x "$rel/$deb" "$x"
  what=$(elf_of "$x/usr/bin/secwrap")
  check "$da .deb: /usr/bin/secwrap is an ELF executable for ${elf[$a]} ($what), the bytes of dist/secwrap-linux-$a" \
    bash -c "[[ '$what' == 'ELF64 LE executable, machine ${em[$a]}' ]] && cmp -s '$x/usr/bin/secwrap' '$root/dist/secwrap-linux-$a'"
  out=$($run "$x/usr/bin/secwrap" --version 2>&1)
  check "$da .deb: ${run:+under ${run%% *}: }/usr/bin/secwrap --version ends with $version ($out)" bash -c "[[ '$out' == 'secwrap $version' || '$out' == '$version' ]]"
  check "$da .deb: the copyright names this architecture's SBOM" grep -qF "$(sbom_of "$a")" "$x/usr/share/doc/secwrap/copyright"
  lint=$(lintian "$rel/$deb" 2>&1 | grep -v 'running with root privileges')
  [[ -n "$lint" ]] && sed "s/^/#   lintian $da: /" <<<"$lint"
  check "$da .deb: lintian: no errors, no warnings" bash -c "! grep -qE '^[EW]:' <<<'$lint'"
done

# --- 5. SBOMs ------------------------------------------------------------------------------------
for a in "${archs[@]}"; do
  # The packages the build used: the host's in node_modules, the arm64 ones fetched into
  # .cache/cross/arm64 (scripts/cross/targets.mjs).
  [[ $a == x64 ]] && mods="$root/node_modules" || mods="$root/.cache/cross/$a/node_modules"
  if node - "$rel/$(sbom_of "$a")" "$root" "$a" "$mods" "$root/dist/secwrap-linux-$a" <<'EOF'; then ok "$a SBOM: CycloneDX of dist/secwrap-linux-$a: node-linux-$a, its ffi-rs addon, yargs, every bundled npm package, with their versions; nothing of another architecture"; else no "$a SBOM contents"; fi
const fs = require('fs'), path = require('path'), crypto = require('crypto');
const [file, root, arch, mods, exe] = process.argv.slice(2);
const other = arch === 'x64' ? 'arm64' : 'x64';
const bom = JSON.parse(fs.readFileSync(file, 'utf8'));
const fail = (m) => { console.log(`# sbom ${arch}: ${m}`); process.exitCode = 1; };
if (bom.bomFormat !== 'CycloneDX' || !/^1\.[56]$/.test(bom.specVersion)) fail(`not CycloneDX 1.5/1.6: ${bom.bomFormat} ${bom.specVersion}`);
if (!/^urn:uuid:[0-9a-f-]{36}$/.test(bom.serialNumber)) fail(`serialNumber ${bom.serialNumber}`);
const sha = crypto.createHash('sha256').update(fs.readFileSync(exe)).digest('hex');
if (bom.metadata.component.hashes?.[0]?.content !== sha) fail(`metadata.component's sha-256 is not dist/secwrap-linux-${arch}'s ${sha}`);
const ver = (dir, p) => JSON.parse(fs.readFileSync(path.join(dir, p, 'package.json'), 'utf8')).version;
const addon = `@yuuang/ffi-rs-linux-${arch}-gnu`;
const find = (name) => bom.components.find((c) => c.name === name);
const top = path.join(root, 'node_modules');
for (const [name, want] of [['node', ver(mods, `node-linux-${arch}`)], ['ffi-rs', ver(top, 'ffi-rs')], ['yargs', ver(top, 'yargs')], [addon, ver(mods, addon)]]) {
  const c = find(name);
  if (!c || c.version !== want || !c.purl) fail(`${name}: want ${want}, have ${c ? `${c.version} ${c.purl}` : 'none'}`);
  else console.log(`# sbom ${arch}: ${name} ${c.version} ${c.purl}${c.cpe ? ` ${c.cpe}` : ''}`);
}
const node = find('node');
if (!node?.purl?.endsWith(`-linux-${arch}.tar.xz`) || node.pedigree?.ancestors?.[0]?.name !== `node-linux-${arch}`) fail(`node is not the linux-${arch} build: ${node?.purl}`);
const openssl = (node?.components ?? []).find((c) => c.name === 'openssl');
if (!openssl?.cpe?.includes(':openssl:openssl:')) fail('node lists no openssl with a CPE');
// Nothing of the other architecture (its Node, its addon) may be listed.
if (JSON.stringify(bom).includes(`linux-${other}`)) fail(`mentions linux-${other}`);
for (const meta of ['secwrap.meta.json', 'cli.meta.json']) {
  for (const input of Object.keys(JSON.parse(fs.readFileSync(path.join(root, 'dist', meta), 'utf8')).inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m && !find(m[1])) fail(`${m[1]} (in ${meta}) is missing`);
  }
}
console.log(`# sbom ${arch}: ${bom.components.length} components, ${(node?.components ?? []).length} inside node`);
EOF
done

# --- 6. reproducible -----------------------------------------------------------------------------
copy="$tmp/elsewhere/secwrap-src"
mkdir -p "$copy"
tar -C "$root" --exclude=./node_modules --exclude=./dist --exclude=./.cache --exclude=./build --exclude=./.git -cf - . | tar -xf - -C "$copy"
ln -s "$root/node_modules" "$copy/node_modules"
# The arm64 Node, addon and sysroot the build fetched (the SBOM runs that Node, the .deb's
# Depends reads the sysroot's symbols files): the same inputs, not a second download.
mkdir -p "$copy/.cache"
ln -s "$root/.cache/cross" "$copy/.cache/cross"
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
check "npm package secwrap: os linux, cpu x64+arm64, libc glibc (npm refuses other platforms), both platform packages optional" node -e '
  const p = JSON.parse(require("child_process").execFileSync("tar", ["-xOzf", process.argv[1], "package/package.json"]));
  const v = process.argv[2];
  process.exit(JSON.stringify([p.os, p.cpu, p.libc, p.optionalDependencies]) ===
    JSON.stringify([["linux"], ["x64", "arm64"], ["glibc"], { "@secwrap/linux-x64": v, "@secwrap/linux-arm64": v }]) && !p.scripts ? 0 : 1)' "$main" "$version"
for a in "${archs[@]}"; do
  check "npm package @secwrap/linux-$a: os linux, cpu $a, libc glibc; bin/secwrap is dist/secwrap-linux-$a" bash -c "
    node -e '
      const p = JSON.parse(require(\"child_process\").execFileSync(\"tar\", [\"-xOzf\", process.argv[1], \"package/package.json\"]));
      process.exit(p.name === \"@secwrap/linux-$a\" && JSON.stringify([p.os, p.cpu, p.libc]) === JSON.stringify([[\"linux\"], [\"$a\"], [\"glibc\"]]) && !p.scripts ? 0 : 1)' '$tmp/npm/secwrap-linux-$a-$version.tgz' &&
    tar -xOzf '$tmp/npm/secwrap-linux-$a-$version.tgz' package/bin/secwrap | cmp -s - '$root/dist/secwrap-linux-$a'"
done
prefix="$tmp/prefix"
# --offline: nothing is published; the platform package comes from its tarball, in the same
# install, as npm would fetch it from the registry (the arm64 one, named on the command line,
# would be refused here: npm checks what it is told to install against the real machine).
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

# The arm64 machine's install, made here: npm's --cpu=arm64 changes the CPU npm selects the
# optional dependencies for (not the one it checks explicitly named packages against), so the
# three tarballs go in as a project's dependencies, the platform packages optional, as the
# registry's `secwrap` would pull them in.
proj="$tmp/arm64-project"
mkdir -p "$proj"
printf '{ "private": true, "dependencies": { "secwrap": "file:%s" }, "optionalDependencies": { "@secwrap/linux-x64": "file:%s", "@secwrap/linux-arm64": "file:%s" } }\n' \
  "$main" "$plat" "$tmp/npm/secwrap-linux-arm64-$version.tgz" >"$proj/package.json"
if (cd "$proj" && npm install --cpu=arm64 --os=linux --libc=glibc --omit=dev --offline --no-audit --no-fund) >"$tmp/install-arm64.log" 2>&1; then
  landed=$(cd "$proj/node_modules" && ls -d @secwrap/* | tr '\n' ' ')
  check "npm install --cpu=arm64: only @secwrap/linux-arm64 lands ($landed), the bytes of dist/secwrap-linux-arm64" bash -c "
    [[ '$landed' == '@secwrap/linux-arm64 ' ]] && cmp -s '$proj/node_modules/@secwrap/linux-arm64/bin/secwrap' '$root/dist/secwrap-linux-arm64'"
  # The launcher as an aarch64 machine runs it. This x86_64 kernel cannot exec an aarch64 ELF
  # file (no binfmt_misc registration is needed or made): in a private mount namespace,
  # /usr/bin/uname answers aarch64 and the package's bin/secwrap is covered by a script that
  # runs a copy of it under qemu-user. The launcher itself is the installed one, unchanged.
  cp "$proj/node_modules/@secwrap/linux-arm64/bin/secwrap" "$tmp/secwrap-arm64"
  printf '#!/bin/sh\necho aarch64\n' >"$tmp/uname-aarch64"
  printf '#!/bin/sh\nexec %s "%s" "$@"\n' "${runner[arm64]}" "$tmp/secwrap-arm64" >"$tmp/run-arm64"
  chmod 0755 "$tmp/uname-aarch64" "$tmp/run-arm64"
  out=$(unshare -m sh -c 'mount --bind "$1" /usr/bin/uname && mount --bind "$2" "$3" && shift 3 && exec "$@"' _ \
    "$tmp/uname-aarch64" "$tmp/run-arm64" "$proj/node_modules/@secwrap/linux-arm64/bin/secwrap" \
    "$proj/node_modules/.bin/secwrap" --version 2>&1)
  check "npm launcher on aarch64: execs @secwrap/linux-arm64 (under qemu-aarch64-static): $out" bash -c "[[ '$out' == 'secwrap $version' || '$out' == '$version' ]]"
  out=$("$proj/node_modules/.bin/secwrap" --version 2>&1)
  rc=$?
  check "npm launcher on x86_64 with only the arm64 package: exit 125, names @secwrap/linux-x64 (never the other CPU's file)" \
    bash -c "[[ $rc -eq 125 && '$out' == *'@secwrap/linux-x64 was not installed'* ]]"
else
  sed 's/^/#   /' "$tmp/install-arm64.log"
  no "npm install --cpu=arm64 --os=linux of the packages"
fi
# A machine with no executable: the launcher (uname -m says i686 under setarch) says so in one line.
out=$(setarch i686 "$prefix/bin/secwrap" --version 2>&1)
rc=$?
echo "# setarch i686 secwrap --version: $out"
check "npm launcher on another machine (i686): exit 125, one line naming the machine" \
  bash -c "[[ $rc -eq 125 && \$(wc -l <<<'$out') -eq 1 && '$out' == *'no executable for this machine (i686)'* ]]"
# ... and npm refuses the install (npm sees process.arch; a preload makes it riscv64 for this run).
echo "Object.defineProperty(process, 'arch', { value: 'riscv64' });" >"$tmp/riscv64.cjs"
NODE_OPTIONS="--require=$tmp/riscv64.cjs" npm install -g --prefix "$tmp/prefix-riscv64" --omit=dev --offline --no-audit --no-fund "$main" >"$tmp/install-riscv64.log" 2>&1
rc=$?
grep -m2 -E 'EBADPLATFORM|Unsupported platform' "$tmp/install-riscv64.log" | sed 's/^/#   /'
check "npm install on linux-riscv64: refused with EBADPLATFORM, nothing installed" bash -c "
  [[ $rc -ne 0 ]] && grep -q 'code EBADPLATFORM' '$tmp/install-riscv64.log' &&
  grep -qF 'wanted {\"os\":\"linux\",\"cpu\":\"x64,arm64\",\"libc\":\"glibc\"}' '$tmp/install-riscv64.log' && [[ ! -e '$tmp/prefix-riscv64/bin/secwrap' ]]"
finish
