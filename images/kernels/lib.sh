# shellcheck shell=bash
# Common settings of the real-kernel harness; sourced by prepare.sh, boot.sh and test-kernels.sh.
#
# Everything downloaded or built lives under $KCACHE (default .cache/kernels, git-ignored).
# Nothing here touches the host's apt sources or /etc: apt runs with a private configuration.

KROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)   # the repository
KDIR="$KROOT/images/kernels"
KCACHE="${KERNELS_CACHE:-$KROOT/.cache/kernels}"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
DEBIAN_SECURITY_MIRROR="${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
DEBIAN_KEYRING="${DEBIAN_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}"
VIRTIOFSD="${VIRTIOFSD:-/usr/lib/qemu/virtiofsd}"

# The kernel lines under test: id | regex of the binary package name (newest match wins).
# bookworm 6.1 (bookworm + bookworm-security), 6.12 (bookworm-security), bullseye 5.10
# (bullseye + bullseye-security). The 6.1.0-0.deb11.* backports are excluded by the regex.
KERNEL_LINES=(
  '5.10|^linux-image-5\.10\.0-[0-9]+-cloud-amd64$'
  '6.1|^linux-image-6\.1\.0-[0-9]+-cloud-amd64$'
  '6.12|^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64$'
)

# The guest's root file system: debootstrap of bookworm, minbase plus what the bats suites use
# (strace: footprint.bats traces the executable in every guest; apparmor: parity.bats loads a
# profile with apparmor_parser where the guest's kernel runs AppArmor).
ROOTFS_SUITE=bookworm
ROOTFS_INCLUDE="libcap2-bin,procps,gawk,libstdc++6,libatomic1,strace,apparmor"

# Modules the initramfs loads when they are not built in (with their dependencies).
INITRAMFS_MODULES="virtio_pci virtio_blk virtiofs"

klog() { printf '%s\n' "$*" >&2; }
kdie() { klog "kernels: $*"; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# apt-get/apt-cache with the harness's own sources, state and cache: the host's are not used.
kapt_opts() {
  local a="$KCACHE/apt"
  printf '%s\n' \
    -o "Dir::Etc::SourceList=$a/etc/sources.list" \
    -o "Dir::Etc::SourceParts=$a/etc/sources.list.d" \
    -o "Dir::Etc::Preferences=$a/etc/preferences" \
    -o "Dir::Etc::PreferencesParts=$a/etc/preferences.d" \
    -o "Dir::State=$a/state" \
    -o "Dir::State::status=$a/state/status" \
    -o "Dir::Cache=$a/cache" \
    -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=" \
    -o "APT::Architecture=amd64" -o "APT::Architectures=amd64" \
    -o "APT::Sandbox::User=root" \
    -o "Acquire::Languages=none"
}
kapt_get() { local o; mapfile -t o < <(kapt_opts); apt-get "${o[@]}" "$@"; }
kapt_cache() { local o; mapfile -t o < <(kapt_opts); apt-cache "${o[@]}" "$@"; }

# Where one picked kernel lives: $KCACHE/k/<uname -r>/{vmlinuz,initramfs.cpio.gz,package,version}
kernel_dir() { printf '%s/k/%s\n' "$KCACHE" "$1"; }
# Picked kernels, one "id package version release" a line.
PICKS="$KCACHE/versions.txt"
