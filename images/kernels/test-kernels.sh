#!/usr/bin/env bash
# Run the bats suites as root inside real Debian cloud kernels (amd64: bullseye 5.10, bookworm
# 6.1, bookworm-security 6.12; arm64: bookworm 6.1 on qemu-system-aarch64 -M virt, testing
# dist/secwrap-linux-arm64) booted under qemu TCG; see images/README.md.
#
#   bash images/kernels/test-kernels.sh        (npm run test:kernels)
#
# Prints one line per kernel, `kernel <uname -r>: N passed, M failed` (or `… 0 passed, 1 failed
# (no report: …)` for a kernel that panicked, hung or never reported), timing lines starting
# with `#`, and a closing `kernels: N passed, M failed`. Exits 0 only when every kernel reported
# and nothing failed.
#   KERNELS="5.10 6.1 6.12 6.1-arm64"   which lines to run (ids from lib.sh; default: all)
#   KERNEL_BATS="…"           bats files to run in every guest (default: the guest smoke suite and
#                             the engine suites: plan matrix vs setpriv, setpriv parity (securebits,
#                             pdeathsig, group modes, limits, Landlock, AppArmor), faults, hand-off, trust,
#                             and the executable's file footprint, which also depends on the guest's
#                             kernel, cgroups and libraries; ship.bats and cli.bats test the build
#                             and the CLI, not the kernel)
#   KERNEL_BATS_6_1="…"       the same for one line only (KERNEL_BATS_5_10, KERNEL_BATS_6_12,
#                             KERNEL_BATS_6_1_arm64)
#   KERNEL_JOBS=2             guests booted at the same time (each takes one host core)
#   KERNEL_TIMEOUT=900        per guest, seconds; KERNELS_OFFLINE=1, KERNELS_REFRESH=1: prepare.sh
set -uo pipefail
source "$(dirname "$0")/lib.sh"
[[ $(id -u) -eq 0 ]] || { echo "test-kernels: must run as root (debootstrap, virtiofsd)" >&2; exit 1; }

export KERNEL_RUN_TAG="$$"
export KERNEL_BATS="${KERNEL_BATS:-images/kernels/kernel-smoke.bats test/bats/engine-setpriv.bats test/bats/parity.bats test/bats/engine-faults.bats test/bats/engine-handoff.bats test/bats/trust.bats test/bats/boundary.bats test/bats/footprint.bats}"
children=() out=
finish() {
  for p in "${children[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${children[@]}"; do wait "$p" 2>/dev/null; done
  children=()
  [[ -n $out ]] && rm -rf "$out"
}
trap finish EXIT
trap 'finish; exit 130' INT TERM

t0=$(now)
ids=${KERNELS:-$(for l in "${KERNEL_LINES[@]}"; do printf '%s ' "${l%%|*}"; done)}
bash "$KDIR/prepare.sh" &
children=($!)
wait "${children[0]}"
prc=$?
children=()
echo "# kernels: preparation $(elapsed "$t0") s"
if ((prc != 0)); then
  for id in $ids; do echo "kernel $id: 0 passed, 1 failed (no report: preparation failed)"; done
  echo "kernels: 0 passed, $(wc -w <<<"$ids") failed"
  exit 1
fi

rels=() ids_arr=()
for id in $ids; do
  ids_arr+=("$id")
  rel=$(awk -v id="$id" '$1 == id {print $4}' "$PICKS")
  if [[ -z $rel ]]; then rels+=("missing:$id"); else rels+=("$rel"); fi
done

out=$(mktemp -d /tmp/secwrap-kernels-out.XXXXXX)
jobs_max=${KERNEL_JOBS:-2}
declare -A pid_of=()
run_one() {   # rel index
  if [[ $1 == missing:* ]]; then
    echo "kernel ${1#missing:}: 0 passed, 1 failed (no report: no kernel picked for line ${1#missing:})" >"$out/$2"
    return
  fi
  local id=${ids_arr[$2]} var
  var="KERNEL_BATS_${id//[^A-Za-z0-9]/_}"
  # KERNEL_BATS_<id> (e.g. KERNEL_BATS_6_1, KERNEL_BATS_6_1_arm64: what is not a letter or a
  # digit becomes _) replaces KERNEL_BATS for that line only
  KERNEL_BATS=${!var-${KERNEL_BATS:-}} bash "$KDIR/boot.sh" "$1" >"$out/$2" 2>"$out/$2.err" &
  pid_of[$2]=$!
  children+=($!)
}
printed=0
print_done() {   # print finished results in order
  while ((printed < ${#rels[@]})); do
    local p=${pid_of[$printed]:-}
    if [[ -n $p ]] && kill -0 "$p" 2>/dev/null; then return; fi
    [[ -n $p ]] && wait "$p" 2>/dev/null
    [[ -f $out/$printed ]] || return
    grep -qE '^kernel [^ ]+: [0-9]+ passed, [0-9]+ failed' "$out/$printed" ||
      echo "kernel ${rels[$printed]}: 0 passed, 1 failed (no report: boot.sh ended without a result)" >>"$out/$printed"
    cat "$out/$printed.err" >&2 2>/dev/null
    cat "$out/$printed"
    printed=$((printed + 1))
  done
}
running() { local n=0 p; for p in "${pid_of[@]}"; do kill -0 "$p" 2>/dev/null && n=$((n + 1)); done; echo "$n"; }
for i in "${!rels[@]}"; do
  while (($(running) >= jobs_max)); do wait -n 2>/dev/null; print_done; done
  run_one "${rels[$i]}" "$i"
  print_done
done
while ((printed < ${#rels[@]})); do wait -n 2>/dev/null || sleep 0.2; print_done; done
children=()

passed=0 failed=0 bad=0
for i in "${!rels[@]}"; do
  line=$(grep -E '^kernel [^ ]+: [0-9]+ passed, [0-9]+ failed' "$out/$i" | tail -n1)
  if [[ -z $line ]]; then bad=1; failed=$((failed + 1)); continue; fi
  p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")
  f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
  passed=$((passed + p)) failed=$((failed + f))
  [[ $line == *"no report"* ]] && bad=1
done
rm -rf "$out"
out=

# nothing of ours may survive: qemu and virtiofsd carry this run's tag in their socket path
sleep 0.2
left=$(pgrep -f "/tmp/secwrap-kernel\.$KERNEL_RUN_TAG\." || true)
if [[ -n $left ]]; then
  echo "test-kernels: processes left behind, ending them: $(echo $left)" >&2
  for p in $left; do kill -KILL "$p" 2>/dev/null; done
  failed=$((failed + 1)) bad=1
fi
echo "# kernels: total $(elapsed "$t0") s"
echo "kernels: $passed passed, $failed failed"
((failed == 0 && bad == 0))
