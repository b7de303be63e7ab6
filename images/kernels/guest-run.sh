#!/bin/bash
# PID 1 inside the guest, after the initramfs switched to the debootstrap root. Runs the bats
# suites as root with `bash test/run-bats.sh` and streams the TAP to the result port (the second
# serial port /dev/ttyS1 on amd64, the virtio console /dev/hvc0 on arm64), ending with a status
# line the host parses:
#   secwrap-kernel-status: rc=<exit code> uname=<uname -r> suite_seconds=<s>
# then powers off. Kernel command line (set by boot.sh):
#   secwrap.repo=<path>   where the repository is mounted (the host's path)
#   secwrap.kernel=<rel>  the kernel release the host meant to boot (SECWRAP_EXPECT_KERNEL)
#   secwrap.bats=a,b      bats files relative to the repository (default: all test/bats/*.bats)
#   secwrap.exe=<file>    the executable under test, relative to the repository (SECWRAP): the
#                         guest architecture's (dist/secwrap, dist/secwrap-linux-arm64)
#   secwrap.out=<device>  the result port (default /dev/ttyS1)
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mountpoint -q /tmp || mount -t tmpfs -o mode=1777 tmpfs /tmp   # the initramfs mounts both
mountpoint -q /run || mount -t tmpfs -o mode=755 tmpfs /run     # before the repository
ln -sfn /proc/self/fd /dev/fd
ln -sfn /proc/self/fd/0 /dev/stdin
ln -sfn /proc/self/fd/1 /dev/stdout
ln -sfn /proc/self/fd/2 /dev/stderr
hostname secwrap-guest
exec </dev/null >/dev/console 2>&1

repo= expect= bats= exe= out=/dev/ttyS1
for w in $(cat /proc/cmdline); do
  case $w in
    secwrap.repo=*) repo=${w#*=} ;;
    secwrap.kernel=*) expect=${w#*=} ;;
    secwrap.bats=*) bats=${w#*=} ;;
    secwrap.exe=*) exe=${w#*=} ;;
    secwrap.out=*) out=${w#*=} ;;
  esac
done
[[ -n $exe ]] && export SECWRAP=$repo/$exe

stty -F "$out" raw -echo
exec 3>"$out"
echo "secwrap-kernel-begin uname=$(uname -r)" >&3

files=()
IFS=, read -r -a names <<<"$bats"
for n in "${names[@]}"; do [[ -n $n ]] && files+=("$repo/$n"); done

read -r up _ </proc/uptime
echo "guest-run: suites start at uptime $up s"
start=$(date +%s%N)
cd "$repo" || exit 1
SECWRAP_KERNEL_GUEST=1 SECWRAP_EXPECT_KERNEL=$expect \
  bash test/run-bats.sh "${files[@]}" 2>&1 |
  while IFS= read -r line; do
    printf '%s\n' "$line" >&3
    read -r up _ </proc/uptime          # the console copy carries the guest's uptime
    printf '[%8s] %s\n' "$up" "$line"
  done
rc=${PIPESTATUS[0]}
secs=$(( ($(date +%s%N) - start) / 1000000 ))
printf 'secwrap-kernel-status: rc=%s uname=%s suite_seconds=%d.%03d\n' \
  "$rc" "$(uname -r)" $((secs / 1000)) $((secs % 1000)) >&3
exec 3>&-
sync
echo o >/proc/sysrq-trigger
sleep 30
