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

# The kernel lines under test: id | Debian architecture | regex of the binary package name
# (newest match wins). bookworm 6.1 (bookworm + bookworm-security), 6.12 (bookworm-security),
# bullseye 5.10 (bullseye + bullseye-security), and bookworm 6.1 for arm64, booted with
# qemu-system-aarch64 -M virt: the same engine on the other architecture the executable ships
# for. The 6.1.0-0.deb11.* backports are excluded by the regex.
KERNEL_LINES=(
  '5.10|amd64|^linux-image-5\.10\.0-[0-9]+-cloud-amd64$'
  '6.1|amd64|^linux-image-6\.1\.0-[0-9]+-cloud-amd64$'
  '6.12|amd64|^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64$'
  '6.1-arm64|arm64|^linux-image-6\.1\.0-[0-9]+-cloud-arm64$'
)
# The host's architecture (apt's native one): tools of the harness that run on the host (busybox
# depmod) are of this architecture; everything copied into a guest is of the guest's.
KHOST_ARCH=amd64
# Architectures of the private apt configuration: foreign ones are read from bookworm only.
KFOREIGN_ARCHS="arm64"

# The guest's root file system (one per architecture): debootstrap of bookworm, minbase plus
# what the bats suites use (strace: footprint.bats traces the executable in every guest;
# apparmor: parity.bats loads a profile with apparmor_parser where the guest's kernel runs
# AppArmor).
ROOTFS_SUITE=bookworm
ROOTFS_INCLUDE="libcap2-bin,procps,gawk,libstdc++6,libatomic1,strace,apparmor"

# Modules the initramfs loads when they are not built in (with their dependencies). On arm64
# the result port is a virtio console (-M virt has one UART): virtio_console.
INITRAMFS_MODULES="virtio_pci virtio_blk virtiofs"
initramfs_modules() {   # arch
  case $1 in arm64) echo "$INITRAMFS_MODULES virtio_console" ;; *) echo "$INITRAMFS_MODULES" ;; esac
}

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
    -o "APT::Architecture=$KHOST_ARCH" -o "APT::Architectures=$KHOST_ARCH,${KFOREIGN_ARCHS// /,}" \
    -o "APT::Sandbox::User=root" \
    -o "Acquire::Languages=none"
}
kapt_get() { local o; mapfile -t o < <(kapt_opts); apt-get "${o[@]}" "$@"; }
kapt_cache() { local o; mapfile -t o < <(kapt_opts); apt-cache "${o[@]}" "$@"; }

# Where one picked kernel lives: $KCACHE/k/<uname -r>/{vmlinuz,initramfs.cpio.gz,package,version,arch}
kernel_dir() { printf '%s/k/%s\n' "$KCACHE" "$1"; }
# Picked kernels, one "id package version release arch" a line.
PICKS="$KCACHE/versions.txt"
# The guest root's image of an architecture (the host's keeps the name it had alone).
rootfs_img() { if [[ $1 == "$KHOST_ARCH" ]]; then echo "$KCACHE/rootfs.ext4"; else echo "$KCACHE/rootfs-$1.ext4"; fi; }
# The executable the suites test in a guest of an architecture (repository-relative; SECWRAP).
guest_exe() { if [[ $1 == "$KHOST_ARCH" ]]; then echo dist/secwrap; else echo "dist/secwrap-linux-$1"; fi; }

# The qemu command line shared by every boot of a guest of architecture $1, without disk, kernel
# and command line: TCG, memory as a shared memfd (virtiofsd maps it), no NIC (its boot ROM costs
# ~2 s), the console on the first serial port written to file $2 and the result port to file $3.
# Sets KQEMU=(…), and KCONSOLE / KOUT, the two ports' names inside the guest.
#   amd64: KERNEL_CPU (Nehalem: x86-64-v2; `max` makes glibc and V8 take AVX paths that TCG
#          emulates 20-40 % slower), KERNEL_SMP (1)
#   arm64: KERNEL_CPU_ARM64, KERNEL_SMP_ARM64 (see images/README.md for the measurements)
kqemu_init() {
  local mem=${KERNEL_MEM:-1024}
  KQEMU=(-accel tcg -m "$mem" -nodefaults -no-user-config -display none -monitor none -nic none
         -no-reboot -object memory-backend-memfd,id=mem,size="${mem}M",share=on -numa node,memdev=mem
         -serial file:"$2")
  case $1 in
    amd64)
      KQEMU=(qemu-system-x86_64 -cpu "${KERNEL_CPU:-Nehalem}" -smp "${KERNEL_SMP:-1}" "${KQEMU[@]}"
             -serial file:"$3")
      KCONSOLE=ttyS0 KOUT=/dev/ttyS1 ;;
    arm64)
      # -M virt has a single UART (the console): the results go to a virtio console, hvc0
      KQEMU=(qemu-system-aarch64 -M virt -cpu "${KERNEL_CPU_ARM64:-cortex-a72}" -smp "${KERNEL_SMP_ARM64:-1}"
             "${KQEMU[@]}" -device virtio-serial-pci -chardev file,id=out,path="$3"
             -device virtconsole,chardev=out)
      KCONSOLE=ttyAMA0 KOUT=/dev/hvc0 ;;
    *) kdie "no qemu for architecture $1" ;;
  esac
}
