#!/usr/bin/env bash
# The foreign-architecture libraries the pinned Node of another architecture needs to run under
# qemu-user on this machine (scripts/cross/run.mjs): Debian bookworm's libc6, libgcc-s1,
# libstdc++6 and libatomic1 for ARCH, unpacked into .cache/cross/sysroot-ARCH (qemu's -L).
# Only the build's training runs and `--build-sea` use it (scripts/build.mjs): nothing of it is
# shipped, and the executable's bytes do not depend on these libraries' versions.
#
# Each package is also kept apart as a package build tree, SYSROOT/.debian/PKG/ (its files and,
# from `dpkg-deb -e`, DEBIAN/ with its control, shlibs and symbols): scripts/release.mjs hands
# them to dpkg-shlibdeps (-S) so that the foreign .deb's Depends comes from these packages'
# own symbols files, as for the host's installed ones (`dpkg-deb -x` alone keeps no control
# file). qemu never looks there: it only maps the guest's absolute paths below SYSROOT.
#
#   bash scripts/cross/sysroot.sh arm64        prints the sysroot's path
#
# apt runs with a private configuration under .cache/cross/apt-ARCH (own sources list, state and
# cache): the host's apt sources, its dpkg architectures and /etc are not touched. Needs apt-get,
# dpkg-deb and debian-archive-keyring (test/system-packages.txt). Idempotent: a finished sysroot
# (its stamp file) is reused; CROSS_REFRESH=1 fetches again.
set -euo pipefail
arch=${1:?usage: sysroot.sh ARCH (arm64 or amd64)}
case $arch in arm64 | amd64) ;; *) echo "sysroot: no sysroot recipe for $arch" >&2; exit 2 ;; esac
root=$(cd "$(dirname "$0")/../.." && pwd)
cache="$root/.cache/cross"
out="$cache/sysroot-$arch"
packages=(libc6 libgcc-s1 libstdc++6 libatomic1)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
keyring=${DEBIAN_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
# "debian-trees": the layout with SYSROOT/.debian/; an older sysroot without it is made again.
stamp="bookworm $arch ${packages[*]} $mirror debian-trees"

if [[ -z ${CROSS_REFRESH:-} && -f $out/.sysroot && $(cat "$out/.sysroot") == "$stamp" ]]; then
  echo "$out"
  exit 0
fi
for t in apt-get dpkg-deb flock; do
  command -v "$t" >/dev/null || { echo "sysroot: $t is missing (Debian's apt, dpkg, util-linux)" >&2; exit 1; }
done
[[ -r $keyring ]] || { echo "sysroot: $keyring is missing (apt-get install debian-archive-keyring)" >&2; exit 1; }

a="$cache/apt-$arch"
mkdir -p "$a/etc/sources.list.d" "$a/etc/preferences.d" "$a/state/lists/partial" \
  "$a/cache/archives/partial" "$a/debs"
exec 9>"$a/.lock"
flock 9
touch "$a/state/status"
printf 'deb [signed-by=%s] %s bookworm main\n' "$keyring" "$mirror" >"$a/etc/sources.list"
apt_opts=(
  -o "Dir::Etc::SourceList=$a/etc/sources.list" -o "Dir::Etc::SourceParts=$a/etc/sources.list.d"
  -o "Dir::Etc::Preferences=$a/etc/preferences" -o "Dir::Etc::PreferencesParts=$a/etc/preferences.d"
  -o "Dir::State=$a/state" -o "Dir::State::status=$a/state/status" -o "Dir::Cache=$a/cache"
  -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
  -o "APT::Architecture=$arch" -o "APT::Architectures=$arch"
  -o "APT::Sandbox::User=root" -o "Acquire::Languages=none"
)
if ! apt-get "${apt_opts[@]}" -q update >"$a/update.log" 2>&1; then
  cat "$a/update.log" >&2
  echo "sysroot: apt-get update failed for $arch" >&2
  exit 1
fi
rm -f "$a"/debs/*.deb
(cd "$a/debs" && apt-get "${apt_opts[@]}" -q download "${packages[@]/%/:$arch}" >"$a/download.log" 2>&1) ||
  { cat "$a/download.log" >&2; echo "sysroot: apt-get download failed" >&2; exit 1; }
rm -rf "$out.tmp"
mkdir -p "$out.tmp"
for d in "$a"/debs/*.deb; do
  p=$(dpkg-deb -f "$d" Package)
  dpkg-deb -x "$d" "$out.tmp"
  mkdir -p "$out.tmp/.debian/$p"
  dpkg-deb -x "$d" "$out.tmp/.debian/$p"
  dpkg-deb -e "$d" "$out.tmp/.debian/$p/DEBIAN"
done
printf '%s\n' "$stamp" >"$out.tmp/.sysroot"
rm -rf "$out"
mv "$out.tmp" "$out"
echo "$out"
