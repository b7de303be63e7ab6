#!/usr/bin/env bash
# Prepare everything the real-kernel runs need, under .cache/kernels (idempotent, cache-aware):
#   1. a private apt configuration (bookworm, bookworm-security, bullseye, bullseye-security);
#   2. the newest cloud kernel of each line in lib.sh, recorded in versions.txt;
#   3. per kernel: vmlinuz + a small busybox-static initramfs with the virtio/virtiofs modules;
#   4. the guest root: debootstrap --variant=minbase bookworm -> rootfs.ext4 (booted snapshot=on).
#
#   images/kernels/prepare.sh
#   KERNELS_REFRESH=1     re-read the package lists now (default: when older than 24 h)
#   KERNELS_OFFLINE=1     never touch the network; use what the cache has
set -euo pipefail
source "$(dirname "$0")/lib.sh"
[[ $(id -u) -eq 0 ]] || kdie "prepare must run as root (debootstrap, image files owned by root)"

need=()
for t in qemu-system-x86_64:qemu-system-x86 "$VIRTIOFSD":qemu-system-common debootstrap:debootstrap \
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
want_sources=$(cat <<EOF
deb [signed-by=$DEBIAN_KEYRING] $DEBIAN_MIRROR bookworm main
deb [signed-by=$DEBIAN_KEYRING] $DEBIAN_SECURITY_MIRROR bookworm-security main
deb [signed-by=$DEBIAN_KEYRING] $DEBIAN_MIRROR bullseye main
deb [signed-by=$DEBIAN_KEYRING] $DEBIAN_SECURITY_MIRROR bullseye-security main
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
if ((refresh)) || [[ ! -f $PICKS ]]; then
  tmp=$(mktemp)
  for line in "${KERNEL_LINES[@]}"; do
    id=${line%%|*} re=${line#*|}
    pkg=$(kapt_cache search --names-only "$re" | awk '{print $1}' | grep -E "$re" | sort -V | tail -n1)
    [[ -n $pkg ]] || kdie "no package matches $re"
    ver=$(kapt_cache policy "$pkg" | awk '/Candidate:/ {print $2}')
    [[ -n $ver && $ver != "(none)" ]] || kdie "no candidate version for $pkg"
    printf '%s %s %s %s\n' "$id" "$pkg" "$ver" "${pkg#linux-image-}" >>"$tmp"
  done
  chmod 644 "$tmp"
  if ! cmp -s "$tmp" "$PICKS" 2>/dev/null; then mv "$tmp" "$PICKS"; else rm -f "$tmp"; fi
fi
klog "prepare: kernels picked ($PICKS):"
sed 's/^/  /' "$PICKS" >&2

# download a package (name=version) into $KCACHE/debs once; prints the .deb path
fetch_deb() {
  local pkg=$1 ver=$2 f
  f=$(find "$KCACHE/debs" -maxdepth 1 -name "${pkg}_*.deb" -print | while read -r d; do
        [[ $(dpkg-deb -f "$d" Version) == "$ver" ]] && echo "$d"; done | head -n1)
  if [[ -z $f ]]; then
    [[ -z ${KERNELS_OFFLINE:-} ]] || kdie "offline and $pkg=$ver is not cached"
    (cd "$KCACHE/debs" && kapt_get -q download "$pkg=$ver" >&2) || kdie "cannot download $pkg=$ver"
    f=$(find "$KCACHE/debs" -maxdepth 1 -name "${pkg}_*.deb" -print |
        while read -r d; do [[ $(dpkg-deb -f "$d" Version) == "$ver" ]] && echo "$d"; done | head -n1)
    [[ -n $f ]] || kdie "downloaded $pkg=$ver but cannot find it"
  fi
  printf '%s\n' "$f"
}

# --- busybox-static (from bookworm, for the initramfs and depmod) -----------------------------
BB="$KCACHE/busybox/bin/busybox"
if [[ ! -x $BB ]]; then
  bbver=$(kapt_cache policy busybox-static | awk '/Candidate:/ {print $2}')
  [[ -n $bbver && $bbver != "(none)" ]] || kdie "busybox-static has no candidate (run with KERNELS_REFRESH=1)"
  deb=$(fetch_deb busybox-static "$bbver")
  rm -rf "$KCACHE/busybox" && mkdir -p "$KCACHE/busybox"
  dpkg-deb -x "$deb" "$KCACHE/busybox.tmp" && mv "$KCACHE/busybox.tmp/bin" "$KCACHE/busybox/bin"
  rm -rf "$KCACHE/busybox.tmp"
  echo "$bbver" >"$KCACHE/busybox/version"
fi

# --- 3. kernels and their initramfs ---------------------------------------------------------
# rebuilt when the init script, the module list or this recipe's format (bump it) changes
INITRAMFS_FORMAT=1
init_sum=$( { cat "$KDIR/initramfs-init.sh"; echo "$INITRAMFS_MODULES $INITRAMFS_FORMAT"; } | sha256sum | cut -c1-16)
while read -r id pkg ver rel; do
  kd=$(kernel_dir "$rel")
  stamp="$pkg $ver $init_sum"
  [[ -f $kd/stamp && $(cat "$kd/stamp") == "$stamp" && -f $kd/vmlinuz && -f $kd/initramfs.cpio.gz ]] && continue
  t=$(now)
  deb=$(fetch_deb "$pkg" "$ver")
  rm -rf "$kd" && mkdir -p "$kd"
  x="$kd/x" ir="$kd/initramfs"
  mkdir -p "$x" "$ir"/{bin,dev,proc,sys,newroot,lib/modules}
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$x" ./boot ./lib/modules
  cp "$x/boot/vmlinuz-$rel" "$kd/vmlinuz"
  md="$x/lib/modules/$rel"
  "$BB" depmod -b "$x" "$rel"
  # the wanted modules that are not built in, and their dependencies, at their own paths
  load=()
  for m in $INITRAMFS_MODULES; do
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
  cp "$BB" "$ir/bin/busybox"
  mknod -m 600 "$ir/dev/console" c 5 1
  cp "$KDIR/initramfs-init.sh" "$ir/init"
  chmod 755 "$ir/init" "$ir/bin/busybox"
  (cd "$ir" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet -R 0:0) |
    gzip -1 >"$kd/initramfs.cpio.gz"
  rm -rf "$x" "$ir"
  printf '%s\n' "$pkg" >"$kd/package"
  printf '%s\n' "$ver" >"$kd/version"
  printf '%s\n' "$stamp" >"$kd/stamp"
  klog "prepare: $rel ($pkg $ver) ready in $(elapsed "$t") s; modules loaded: ${load[*]:-none}"
done <"$PICKS"

# --- 4. guest root file system ---------------------------------------------------------------
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
  rm -f "$KCACHE/rootfs.ext4"
  klog "prepare: debootstrap $ROOTFS_SUITE (minbase + $ROOTFS_INCLUDE) in $(elapsed "$t") s"
fi

# Extras copied into the image: the interpreter a script launcher at dist/secwrap execs (the
# interim `exec '/usr/bin/node' …/secwrap.cjs`), at the same path; a single ELF needs nothing.
# The bats suites also use `node` as a test tool (JSON checks, builds): the host's node goes to
# /usr/bin/node unless KERNEL_GUEST_NODE=0.
extras=()
if [[ -f $KROOT/dist/secwrap && $(head -c2 "$KROOT/dist/secwrap") == '#!' ]]; then
  interp=$(grep -oE "^exec +'?/[^' ]+" "$KROOT/dist/secwrap" | head -n1 | sed -E "s/^exec +'?//")
  [[ -n $interp && -x $interp && $interp != "$KROOT"/* ]] && extras+=("$interp=$(readlink -f "$interp")")
fi
if [[ ${KERNEL_GUEST_NODE:-1} != 0 ]] && command -v node >/dev/null; then
  extras+=("/usr/bin/node=$(readlink -f "$(command -v node)")")
fi
estamp=$(for e in "${extras[@]}"; do stat -c '%n %s %Y' "${e#*=}" | sed "s|^|${e%%=*} |"; done)
estamp="$(cat "$rootfs/.secwrap-rootfs")|$estamp"
img="$KCACHE/rootfs.ext4"
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

klog "prepare: done in $(elapsed "$t_all") s"
