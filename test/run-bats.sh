#!/usr/bin/env bash
# The bats suites, run as root in a private mount namespace: the host's /etc/passwd and
# /etc/group get the fixture users and groups appended (ids 4242-4260, unused on the host) and
# are bind-mounted over the originals inside the namespace only. The host is left untouched.
#
#   test/run-bats.sh [BATS_FILE...]     (default: every test/bats/*.bats)
#   (images/kernels/kernel-smoke.bats is meant for the real-kernel guests only)
#   SECWRAP=/path/to/secwrap            binary under test (default: dist/secwrap)
#   BATS_TIMING=1                       print each test's duration
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [[ $(id -u) -ne 0 ]]; then
  echo "run-bats: the bats suites drop privileges for real and must run as root" >&2
  exit 1
fi
if [[ -z "${SECWRAP_IN_NS:-}" ]]; then
  export SECWRAP_IN_NS=1
  exec unshare --mount --propagation private -- "$0" "$@"
fi
export SECWRAP="${SECWRAP:-$root/dist/secwrap}"
export SECWRAP_ROOT="$root"
[[ -x "$SECWRAP" ]] || { echo "run-bats: $SECWRAP is missing: run npm run build" >&2; exit 1; }

fixtures=$(mktemp -d /tmp/secwrap-etc.XXXXXX)
trap 'umount /srv /etc/passwd /etc/group 2>/dev/null || true; rm -rf "$fixtures"' EXIT
cat /etc/passwd "$root/test/fixtures/etc/passwd.add" > "$fixtures/passwd"
cat /etc/group "$root/test/fixtures/etc/group.add" > "$fixtures/group"
chmod 644 "$fixtures/passwd" "$fixtures/group"
mount --bind "$fixtures/passwd" /etc/passwd
mount --bind "$fixtures/group" /etc/group
# A root-owned 0755 scratch area for chroot jails (sshd's rule rejects jails under /tmp).
mount -t tmpfs -o mode=0755 secwrap-test /srv
export SECWRAP_SCRATCH=/srv

if [[ $# -eq 0 ]]; then set -- "$root"/test/bats/*.bats; fi
"$root/node_modules/bats/bin/bats" --tap ${BATS_TIMING:+--timing} "$@"
