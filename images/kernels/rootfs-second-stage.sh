#!/bin/sh
# PID 1 of the one boot that finishes a foreign architecture's guest root (prepare.sh, step 4):
# the host runs no arm64 program, so debootstrap's second stage (configuring the packages the
# first stage only unpacked) runs here, in the guest, on the writable image. Then it checks that
# the extras prepare.sh copied in (/.secwrap-extras: /usr/bin/node) find their shared libraries,
# removes what only the installation needed, and reports on the result port
#   secwrap-kernel-status: rc=<0 or what failed> uname=<uname -r>
# before powering off. Kernel command line: secwrap.out=<the result port's device>.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
out=/dev/ttyS1
for w in $(cat /proc/cmdline); do
  case $w in secwrap.out=*) out=${w#*=} ;; esac
done
exec </dev/null >/dev/console 2>&1

rc=0
if ! /debootstrap/debootstrap --second-stage; then
  rc=debootstrap
  tail -n 40 /debootstrap/debootstrap.log
fi
# debootstrap unmounts what it mounted itself; the power-off below needs /proc
[ -e /proc/sysrq-trigger ] || mount -t proc proc /proc
if [ "$rc" = 0 ] && [ -f /.secwrap-extras ]; then
  for f in $(cat /.secwrap-extras); do
    ldd "$f" | grep 'not found' && rc="ldd:$f"
  done
fi
rm -f /var/cache/apt/archives/*.deb /var/lib/apt/lists/*_Packages /secwrap-second-stage
# the image must be clean before the power-off: sysrq's emergency read-only remount (a plain
# remount refuses while this deleted script is open)
sync
echo u >/proc/sysrq-trigger
stty -F "$out" raw -echo
echo "secwrap-kernel-status: rc=$rc uname=$(uname -r)" >"$out"
echo o >/proc/sysrq-trigger
sleep 30
