#!/bin/busybox sh
# PID 1 of the harness's initramfs (busybox-static). Loads the virtio/virtiofs modules that are
# not built in (/modules.load), mounts the guest root (/dev/vda, booted with snapshot=on) and the
# repository (virtiofs tag host0, read-only, at the same absolute path as on the host), then
# switch_roots into bash running images/kernels/guest-run.sh from the shared repository.
# Any failure here is reported on the second serial port (/dev/ttyS1) and powers off.
/bin/busybox mkdir -p /proc /sys /dev /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1

fail() {
  echo "initramfs: $*"
  stty -F /dev/ttyS1 raw -echo 2>/dev/null
  echo "secwrap-kernel-status: rc=initramfs uname=$(uname -r) error=$*" >/dev/ttyS1
  sync
  poweroff -f
  sleep 30
}

REPO=
for w in $(cat /proc/cmdline); do
  case $w in secwrap.repo=*) REPO=${w#secwrap.repo=} ;; esac
done
[ -n "$REPO" ] || fail "no secwrap.repo= on the kernel command line"

for m in $(cat /modules.load); do
  modprobe "$m" || fail "modprobe $m"
done

i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -b /dev/vda ] || fail "no /dev/vda"
mount -t ext4 /dev/vda /newroot || fail "mount /dev/vda"
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
