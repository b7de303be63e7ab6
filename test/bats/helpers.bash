# Shared helpers for the bats suites. test/run-bats.sh runs them as root in a private mount
# namespace with the fixture users (ecuser 4242, ecother 4250; groups ecmail 4243, ecadm 4244,
# ecempty 4260) and a root-owned tmpfs at $SECWRAP_SCRATCH for jails.
bats_require_minimum_version 1.5.0
load "$SECWRAP_ROOT/node_modules/bats-support/load.bash"
load "$SECWRAP_ROOT/node_modules/bats-assert/load.bash"

SETPRIV=/usr/bin/setpriv   # by path: busybox's applet would shadow it in the guests

# The machine (uname -m: x86_64, aarch64; in the library folders' names), Node's name of its
# architecture (process.arch: in the code cache's folder names), and the pinned Node for it (npm
# node-linux-<arch>) with the node_modules that also holds its ffi-rs addon, for secwrap.cjs: npm installs the host's own and skips the other architecture's
# (optional dependencies for another CPU), which the build of that architecture's executable
# fetches into .cache/cross/<arch>/node_modules (scripts/cross/npm-fetch.mjs). The arm64 guests
# of images/kernels run on the x64 host's repository.
MACHINE=$(uname -m)
case $MACHINE in x86_64) NODE_ARCH=x64 ;; aarch64) NODE_ARCH=arm64 ;; *) NODE_ARCH=$MACHINE ;; esac
PINNED_NODE_MODULES=$SECWRAP_ROOT/node_modules
[[ -d $PINNED_NODE_MODULES/node-linux-$NODE_ARCH ]] || PINNED_NODE_MODULES=$SECWRAP_ROOT/.cache/cross/$NODE_ARCH/node_modules
PINNED_NODE=$PINNED_NODE_MODULES/node-linux-$NODE_ARCH/bin/node

FIELDS='^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):'

# The nine credential fields of a /proc/<pid>/status, whitespace normalised.
status_fields() { grep -E "$FIELDS" | sed -E 's/[[:space:]]+/ /g; s/ $//'; }

# A fresh temporary folder in the root-owned scratch area.
scratch_dir() { mktemp -d "$SECWRAP_SCRATCH/t.XXXXXX"; }

# Run secwrap with the given args and "-- cat /proc/self/status"; print the nine fields.
secwrap_status() { set -o pipefail; "$SECWRAP" "$@" -- cat /proc/self/status | status_fields; }
# Run setpriv with the given args on the same command; print the nine fields.
setpriv_status() { set -o pipefail; "$SETPRIV" "$@" cat /proc/self/status | status_fields; }

# compare_with_setpriv SECWRAP_ARGS... --vs-- SETPRIV_ARGS...
# Asserts both succeed and the nine fields are identical, field by field.
compare_with_setpriv() {
  local -a sw=() sp=()
  while [[ $# -gt 0 && $1 != --vs-- ]]; do sw+=("$1"); shift; done
  shift
  sp=("$@")
  local a b
  a=$(secwrap_status "${sw[@]}") || fail "secwrap failed: ${sw[*]}"
  b=$(setpriv_status "${sp[@]}") || fail "setpriv failed: ${sp[*]}"
  [[ $(wc -l <<<"$a") -eq 9 ]] || fail "secwrap printed $(wc -l <<<"$a") fields: $a"
  if [[ "$a" != "$b" ]]; then
    fail "differs from setpriv
secwrap ${sw[*]}
$a
setpriv ${sp[*]}
$b"
  fi
  echo "$a"
}

# A jail usable by both secwrap --chroot and chroot+setpriv: host /usr bind-mounted read-only,
# merged-usr symlinks, /proc, and the fixture passwd/group. Prints its path.
make_jail() {
  local j
  j=$(scratch_dir)
  chmod 0755 "$j"
  mkdir -p "$j/usr" "$j/proc" "$j/etc" "$j/tmp" "$j/dev"
  mount --bind /usr "$j/usr"
  mount -o remount,bind,ro "$j/usr"
  mount --bind /proc "$j/proc"
  mount --bind /dev "$j/dev"
  for d in bin sbin lib lib64; do [[ -L /$d ]] && ln -s "usr/$d" "$j/$d"; done
  cp /etc/passwd /etc/group "$j/etc/"
  chmod 1777 "$j/tmp"
  echo "$j"
}

# A marker path that a command which must never run would create.
marker() { echo "$BATS_TEST_TMPDIR/ran"; }
assert_not_ran() { [[ ! -e $(marker) ]] || fail "the command ran: $(marker) exists"; }

# Write a config file (root-owned 0644) from stdin into a fresh folder; print its path.
write_conf() {
  local d
  d=$(scratch_dir)
  cat >"$d/${1:-ecelerity.conf}"
  chmod 0644 "$d/${1:-ecelerity.conf}"
  echo "$d/${1:-ecelerity.conf}"
}

# secwrap_copy_at PATH: a copy of the executable at PATH (118 MB), removed after the test: the
# kernel guests' /srv is a tmpfs in 1 GiB of memory, where a few copies left behind fill it.
secwrap_copy_at() {
  cp "$SECWRAP" "$1"
  echo "$1" >>"$BATS_TEST_TMPDIR/.copies"
}

# After every test: the executable's copies it made (see secwrap_copy_at). A file that defines its
# own teardown calls this.
teardown() { remove_copies; }
remove_copies() {
  if [[ -f $BATS_TEST_TMPDIR/.copies ]]; then
    while IFS= read -r f; do rm -f -- "$f"; done <"$BATS_TEST_TMPDIR/.copies"
  fi
  return 0
}
