#!/usr/bin/env bash
# Boot one prepared kernel under TCG and run the bats suites inside it (see guest-run.sh).
#
#   images/kernels/boot.sh <uname -r>       e.g. 6.1.0-56-cloud-amd64 (see .cache/kernels/versions.txt)
#
# The kernel's architecture (recorded by prepare.sh) chooses the emulator (lib.sh kqemu_init),
# the root image and the executable under test: dist/secwrap on amd64,
# dist/secwrap-linux-arm64 on arm64.
#
# Prints exactly one result line on stdout:
#   kernel <uname -r>: N passed, M failed[, K skipped]
#   kernel <name>: 0 passed, 1 failed (no report: <why>)
# and one timing line (`# kernel <name>: boot+suite …`). Exits 0 only when the guest reported,
# the suites exited 0 and nothing failed. Logs: .cache/kernels/logs/<uname -r>/.
#   KERNEL_BATS="test/bats/a.bats …"   run only these files (default: all test/bats/*.bats)
#   KERNEL_TIMEOUT=<s>                  bound for boot + suites, then qemu is killed
#                                       (default 120 + 30 per selected @test)
#   KERNEL_MEM=1024                     guest memory in MiB
#   KERNEL_CPU=Nehalem KERNEL_SMP=1     amd64 qemu CPU model and guest CPUs (TCG threads)
#   KERNEL_CPU_ARM64 KERNEL_SMP_ARM64   the same for arm64 (cortex-a72, 1); see lib.sh
#   KERNEL_VIRTIOFS_CACHE=always        virtiofsd cache mode (`auto` re-reads the 117 MB
#                                       single executable on every exec: 4-10 s each)
#   KERNEL_APPEND="mitigations=off"     extra kernel command line
set -uo pipefail
source "$(dirname "$0")/lib.sh"
rel=${1:?usage: boot.sh <kernel release>}
kd=$(kernel_dir "$rel")

noreport() {
  echo "kernel $rel: 0 passed, 1 failed (no report: $*)"
  exit 1
}
arch=$(cat "$kd/arch" 2>/dev/null)
img=$(rootfs_img "${arch:-none}")
[[ -n $arch && -f $kd/vmlinuz && -f $kd/initramfs.cpio.gz && -f $img ]] ||
  noreport "not prepared: run images/kernels/prepare.sh"
exe=$(guest_exe "$arch")
[[ -x $KROOT/$exe ]] || noreport "$exe is missing: build it first"
[[ $KROOT != *[[:space:]]* ]] || noreport "repository path contains white space"

bats= ntests=0
for f in ${KERNEL_BATS:-}; do
  f=${f#"$KROOT"/}
  [[ -f $KROOT/$f ]] || noreport "KERNEL_BATS: no such file $f"
  bats+=${bats:+,}$f
done
for f in ${KERNEL_BATS:-$KROOT/test/bats/*.bats}; do
  [[ $f == /* ]] || f=$KROOT/$f
  ntests=$((ntests + $(grep -cE '^@test ' "$f" 2>/dev/null || true)))
done
# default bound: 2 min for boot and bats start-up + 30 s a test (a test takes 3-9 s under TCG)
timeout_s=${KERNEL_TIMEOUT:-$((120 + 30 * ntests))}

logs="$KCACHE/logs/$rel"
mkdir -p "$logs"
rm -f "$logs"/*
run=$(mktemp -d "/tmp/secwrap-kernel.${KERNEL_RUN_TAG:-$$}.XXXXXX")   # short path: unix socket names are limited
sock="$run/vfs.sock"
vpid= qpid=
cleanup() {
  # both were started as process-group leaders (setsid / timeout): end each group by its id
  [[ -n $qpid ]] && kill -TERM -- "-$qpid" 2>/dev/null
  [[ -n $vpid ]] && kill -TERM -- "-$vpid" 2>/dev/null
  [[ -n $qpid ]] && wait "$qpid" 2>/dev/null
  [[ -n $vpid ]] && wait "$vpid" 2>/dev/null
  for p in $qpid $vpid; do kill -KILL -- "-$p" 2>/dev/null; done
  rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

t0=$(now)
setsid "$VIRTIOFSD" --socket-path="$sock" -o source="$KROOT" -o cache="${KERNEL_VIRTIOFS_CACHE:-always}" \
  >"$logs/virtiofsd.log" 2>&1 &
vpid=$!
for _ in $(seq 100); do [[ -S $sock ]] && break; kill -0 "$vpid" 2>/dev/null || break; sleep 0.05; done
[[ -S $sock ]] || noreport "virtiofsd did not start: $(tail -n1 "$logs/virtiofsd.log")"

kqemu_init "$arch" "$logs/console.log" "$logs/result.tap"
append="console=$KCONSOLE panic=-1 quiet random.trust_cpu=on ${KERNEL_APPEND-mitigations=off}"
append+=" secwrap.repo=$KROOT secwrap.kernel=$rel secwrap.exe=$exe secwrap.out=$KOUT${bats:+ secwrap.bats=$bats}"
timeout -k 5 "$timeout_s" "${KQEMU[@]}" \
  -chardev socket,id=vfs,path="$sock" -device vhost-user-fs-pci,chardev=vfs,tag=host0 \
  -drive file="$img",format=raw,if=virtio,snapshot=on \
  -kernel "$kd/vmlinuz" -initrd "$kd/initramfs.cpio.gz" -append "$append" \
  >"$logs/qemu.log" 2>&1 &
qpid=$!
wait "$qpid"
qrc=$?
qpid=
secs=$(elapsed "$t0")

tr -d '\r' <"$logs/result.tap" >"$logs/result.txt" 2>/dev/null
status=$(grep -a '^secwrap-kernel-status:' "$logs/result.txt" | tail -n1)
echo "# kernel $rel: boot+suite $secs s${status:+ (suites ${status##*suite_seconds=} s in the guest)}"
if [[ -z $status ]]; then
  why=
  if [[ $qrc -eq 124 || $qrc -eq 137 ]]; then why="timeout after ${timeout_s} s"
  elif grep -aq 'Kernel panic' "$logs/console.log" 2>/dev/null; then
    why="kernel panic: $(grep -a -m1 'Kernel panic' "$logs/console.log" | tr -d '\r' | cut -c1-120)"
  elif [[ $qrc -ne 0 ]]; then why="qemu exited $qrc: $(tail -n1 "$logs/qemu.log" | cut -c1-120)"
  else why="guest stopped without a status line"
  fi
  tail -n 20 "$logs/console.log" 2>/dev/null | tr -d '\r' | sed 's/^/  console| /' >&2
  noreport "$why; logs in $logs"
fi

uname_r=$(sed -E 's/.* uname=([^ ]+).*/\1/' <<<"$status")
rc=$(sed -E 's/.* rc=([^ ]+).*/\1/' <<<"$status")
plan=$(grep -aE '^1\.\.[0-9]+$' "$logs/result.txt" | head -n1 | cut -d. -f3)
ok=$(grep -acE '^ok [0-9]+' "$logs/result.txt")
skipped=$(grep -acE '^ok [0-9]+.* # (skip|SKIP)' "$logs/result.txt")
notok=$(grep -acE '^not ok [0-9]+' "$logs/result.txt")
passed=$((ok - skipped))
failed=$notok
note=
if [[ -n $plan ]] && ((ok + notok < plan)); then
  failed=$((failed + plan - ok - notok)); note=" ($((plan - ok - notok)) planned tests never reported)"
fi
if [[ $rc != 0 ]] && ((failed == 0)); then
  failed=1; note=" (suite exited $rc: $(grep -av '^\(ok\|not ok\|#\|1\.\.\)' "$logs/result.txt" | grep -av '^secwrap-kernel' | tail -n1 | cut -c1-120))"
fi
if [[ -z $plan ]] && ((ok + notok == 0 && failed == 0)); then failed=1; note=" (no TAP plan: ran no test)"; fi
if [[ $uname_r != "$rel" ]]; then failed=$((failed + 1)); note+=" (booted $uname_r, expected $rel)"; fi
if ((notok > 0)); then
  awk '/^not ok /{p=1; print; next} /^(ok |1\.\.)/{p=0} p && /^#/' "$logs/result.txt" | sed "s/^/  $uname_r| /" >&2
fi
echo "kernel $uname_r: $passed passed, $failed failed$( ((skipped)) && echo ", $skipped skipped")$note"
[[ $rc == 0 ]] && ((failed == 0))
