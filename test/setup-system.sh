#!/usr/bin/env bash
# The first step of `npm test` (test/run-all.sh), and so of CI (.ci/run): make sure the system
# packages listed in test/system-packages.txt are installed.
#   - all present: one line, exit 0;
#   - some missing, root, apt-get present: apt-get update once, install them (printing the list),
#     check again;
#   - some missing otherwise (not root, no apt, not Debian): print the exact apt-get line and
#     exit 1 at once, before any stage spends time failing on a missing tool.
# SECWRAP_SKIP_SETUP=1 skips the check (tools installed by other means, another distribution).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
list="$here/system-packages.txt"
mapfile -t wanted < <(sed -e 's/#.*//' "$list" | tr -s ' \t' '\n\n' | grep -v '^$')

if [[ -n "${SECWRAP_SKIP_SETUP:-}" ]]; then
  echo "setup: SECWRAP_SKIP_SETUP is set: not checking the ${#wanted[@]} system packages"
  exit 0
fi

# The packages of the list that dpkg does not report as installed (all of them without dpkg).
missing_packages() {
  local installed
  if ! command -v dpkg-query >/dev/null 2>&1; then
    printf '%s\n' "${wanted[@]}"
    return
  fi
  # Unknown names make dpkg-query complain and exit 1: they are simply not installed.
  installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${wanted[@]}" 2>/dev/null | awk '$2 == "installed" {print $1}' || true)
  local p
  for p in "${wanted[@]}"; do
    grep -qxF -- "$p" <<<"$installed" || echo "$p"
  done
}

mapfile -t missing < <(missing_packages)
if ((${#missing[@]} == 0)); then
  echo "setup: all ${#wanted[@]} system packages of test/system-packages.txt are installed"
  exit 0
fi

line="apt-get install -y ${missing[*]}"
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  why="not root"
  [[ $(id -u) -eq 0 ]] && why="no apt-get (not Debian or Ubuntu?)"
  {
    echo "setup: ${#missing[@]} system packages the tests need are missing: ${missing[*]}"
    echo "setup: cannot install them here ($why). As root on Debian or Ubuntu, run:"
    echo "  apt-get update && $line"
    echo "setup: (or set SECWRAP_SKIP_SETUP=1 if the tools come from elsewhere)"
  } >&2
  exit 1
fi

echo "setup: installing ${#missing[@]} missing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
mapfile -t still < <(missing_packages)
if ((${#still[@]} > 0)); then
  echo "setup: still missing after apt-get install: ${still[*]}" >&2
  exit 1
fi
echo "setup: installed ${missing[*]}"
