#!/bin/busybox sh
# PID 1 of the harness's initramfs (busybox-static). Loads the virtio/virtiofs modules that are
# not built in (/modules.load), mounts the guest root (/dev/vda, booted with snapshot=on) and the
# repository (virtiofs tag host0, read-only, at the same absolute path as on the host), then
# switch_roots into bash running images/kernels/guest-run.sh from the shared repository.
# Any failure here is reported on the result port (secwrap.out=, default /dev/ttyS1: the second
# serial port; /dev/hvc0 on arm64) and powers off. With secwrap.init=<path> (prepare.sh finishing
# a foreign root file system) it mounts only the root, writable, and switch_roots into <path>.
/bin/busybox mkdir -p /proc /sys /dev /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1

OUT=/dev/ttyS1 REPO= INIT=
for w in $(cat /proc/cmdline); do
  case $w in
    secwrap.out=*) OUT=${w#secwrap.out=} ;;
    secwrap.repo=*) REPO=${w#secwrap.repo=} ;;
    secwrap.init=*) INIT=${w#secwrap.init=} ;;
  esac
done

fail() {
  echo "initramfs: $*"
  stty -F "$OUT" raw -echo 2>/dev/null
  echo "secwrap-kernel-status: rc=initramfs uname=$(uname -r) error=$*" >"$OUT"
  sync
  poweroff -f
  sleep 30
}

[ -n "$REPO$INIT" ] || fail "no secwrap.repo= on the kernel command line"

for m in $(cat /modules.load); do
  modprobe "$m" || fail "modprobe $m"
done

i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -b /dev/vda ] || fail "no /dev/vda"
mount -t ext4 /dev/vda /newroot || fail "mount /dev/vda"
if [ -n "$INIT" ]; then
  umount /proc /sys
  mount --move /dev /newroot/dev
  exec switch_root /newroot "$INIT"
  fail "switch_root $INIT"
fi
# The guest's /tmp and /run are tmpfs; mount them before the repository, which may live under
# one of them on the host (CI clones anywhere), so it is not hidden afterwards.
mount -t tmpfs -o mode=1777 tmpfs /newroot/tmp || fail "mount /tmp"
mount -t tmpfs -o mode=755 tmpfs /newroot/run || fail "mount /run"
mkdir -p "/newroot$REPO"
mount -t virtiofs -o ro host0 "/newroot$REPO" || fail "mount virtiofs host0"
[ -f "/newroot$REPO/images/kernels/guest-run.sh" ] || fail "$REPO/images/kernels/guest-run.sh missing"
umount /proc /sys
mount --move /dev /newroot/dev
exec switch_root /newroot /bin/bash "$REPO/images/kernels/guest-run.sh"
fail "switch_root"
