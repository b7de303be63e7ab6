#!/usr/bin/env bash
# npm test: everything, in order — first the system packages the stages need
# (test/setup-system.sh: installed as root with apt, or the apt-get line printed and a stop),
# then lint (Biome) and typecheck (tsc over cmd, src, test, scripts, bench), build, unit tests (Node's test runner), the bats suites (as root, in a private mount
# namespace), the release files and npm packages (test/run-release.sh), the container image
# (podman; it installs the release's .deb), the real kernels (qemu).
# Each stage's output is kept under .cache/test-logs/; the last line sums them up as
# "N passed, M failed". Exits non-zero when any stage failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
logs="$root/.cache/test-logs"
mkdir -p "$logs"
total_pass=0
total_fail=0
failed_stages=()

# stage NAME COMMAND...: run it, show its output, count its results.
stage() {
  local name=$1 log="$logs/$1.log" start rc pass fail
  shift
  echo "=== $name: $*"
  start=$(date +%s)
  "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  # TAP from node --test ("# pass N" / "# fail N"), TAP from bats ("ok" / "not ok"),
  # or the plain "N passed, M failed" lines of the image and kernel stages.
  if grep -qE '^# pass [0-9]+' "$log"; then
    pass=$(awk '/^# pass [0-9]+/ {n+=$3} END {print n+0}' "$log")
    fail=$(awk '/^# fail [0-9]+/ {n+=$3} END {print n+0}' "$log")
  elif grep -qE '^(not )?ok [0-9]+' "$log"; then
    pass=$(grep -cE '^ok [0-9]+' "$log")
    fail=$(grep -cE '^not ok [0-9]+' "$log")
  else
    # the stage's closing line (the kernels stage prints one per kernel, then the total)
    pass=$(grep -oE '[0-9]+ passed, [0-9]+ failed' "$log" | tail -1 | awk '{n=$1} END {print n+0}')
    fail=$(grep -oE '[0-9]+ passed, [0-9]+ failed' "$log" | tail -1 | awk '{n=$3} END {print n+0}')
  fi
  if [[ $rc -ne 0 && $fail -eq 0 ]]; then fail=1; fi
  total_pass=$((total_pass + pass))
  total_fail=$((total_fail + fail))
  [[ $rc -eq 0 ]] || failed_stages+=("$name (exit $rc)")
  echo "=== $name: $pass passed, $fail failed, exit $rc, $(( $(date +%s) - start ))s"
}

# Before any stage: a missing tool stops everything within seconds, with the line that fixes it.
bash test/setup-system.sh || exit

stage lint npx biome check .
stage typecheck npm run --silent typecheck
stage build node scripts/build.mjs --all
stage unit bash test/run-unit.sh
stage bats bash test/run-bats.sh
stage release bash test/run-release.sh
stage image bash images/container/test-image.sh
stage kernels bash images/kernels/test-kernels.sh

echo
if [[ ${#failed_stages[@]} -gt 0 ]]; then echo "failed stages: ${failed_stages[*]}"; fi
echo "$total_pass passed, $total_fail failed"
[[ ${#failed_stages[@]} -eq 0 && $total_fail -eq 0 ]]
