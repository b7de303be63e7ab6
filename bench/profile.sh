#!/bin/sh
# Where secwrap's start-up time goes: the exec path of the plain bundle (dist/secwrap.cjs) on the
# embedded Node, compiled from a code cache trained on the exec path as in the executable, under
# the V8 CPU profiler, summarised by module, line and function; plus the native ffi-rs calls and
# an strace of the file-system probes. Run as root from anywhere:
#   bash bench/profile.sh [--profile-runs N]
# (= node bench/bench.mjs --profile). Profiles are left in .cache/bench/prof/.
set -eu
cd "$(dirname "$0")/.."
exec node bench/bench.mjs --profile "$@"
