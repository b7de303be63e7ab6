#!/usr/bin/env bats
# The arm64 executable (dist/secwrap-linux-arm64, built on this machine by scripts/build.mjs) run
# under qemu-user on the host: the ELF it is, its version, and a real drop as root compared
# field by field with the host's own executable on the same request. qemu-user runs the arm64
# code and passes the system calls to the host's kernel, so the credentials the command gets
# are the kernel's answer to the arm64 build's calls. A real arm64 kernel runs the engine suites
# with it in images/kernels (the arm64 line). Host only: a guest runs its own architecture.

load helpers

ARM64="$SECWRAP_ROOT/dist/secwrap-linux-arm64"

setup_file() {
  # The arm64 libraries qemu's -L needs (glibc, libstdc++; cached by the build).
  SYSROOT=$(bash "$SECWRAP_ROOT/scripts/cross/sysroot.sh" arm64)
  export SYSROOT
}

# the arm64 executable under qemu-user, with the arm64 libraries
arm64() { qemu-aarch64-static -L "$SYSROOT" "$ARM64" "$@"; }

@test "arm64: dist/secwrap-linux-arm64 is an ARM aarch64 ELF executable, stripped" {
  run file -b "$ARM64"
  assert_success
  assert_output --partial 'ELF 64-bit LSB executable, ARM aarch64'
  assert_output --partial 'interpreter /lib/ld-linux-aarch64.so.1'
  assert_output --partial ', stripped'
}

@test "arm64: --version under qemu-aarch64-static" {
  version=$(node -p "require('$SECWRAP_ROOT/package.json').version")
  run arm64 --version
  assert_success
  assert_output "secwrap $version"
}

@test "arm64: a drop to nobody keeping cap_net_bind_service gives CapAmb 0000000000000400" {
  conf=$(write_conf <<'EOF'
security {
  user = nobody
  group = nogroup
  capabilities = "cap_net_bind_service+ep"
}
EOF
)
  run --separate-stderr arm64 -c "$conf" -- grep -E '^(Uid|Gid|CapInh|CapPrm|CapEff|CapAmb|NoNewPrivs):' /proc/self/status
  assert_success
  nobody=$(getent passwd nobody | cut -d: -f3)
  assert_line --regexp "^Uid:[[:space:]]+$nobody[[:space:]]+$nobody[[:space:]]+$nobody[[:space:]]+$nobody\$"
  assert_line --regexp $'^CapEff:\t0000000000000400$'
  assert_line --regexp $'^CapAmb:\t0000000000000400$'
}

@test "arm64: the nine status fields equal the x64 executable's for the same requests" {
  for args in "-u ecuser --caps cap_net_bind_service,cap_net_raw+ep" \
    "-u ecuser -g ecmail --groups ecadm" "-u ecother --caps cap_chown,cap_setuid+ep --no-new-privs"; do
    # shellcheck disable=SC2086 # word-split on purpose: each line is one request's arguments
    a=$(set -o pipefail; arm64 $args -- cat /proc/self/status | status_fields) || fail "arm64 $args"
    # shellcheck disable=SC2086
    b=$(secwrap_status $args) || fail "x64 $args"
    [[ $(wc -l <<<"$a") -eq 9 ]] || fail "arm64 printed: $a"
    assert_equal "$a" "$b"
  done
}

@test "arm64: the trust boundary holds: a group-writable config is refused with 125" {
  conf=$(write_conf <<<'security { user = ecuser }')
  chmod 0664 "$conf"
  run --separate-stderr arm64 -c "$conf" -- touch "$(marker)"
  assert_failure 125
  [[ $stderr == *"writable by group"* ]] || fail "stderr: $stderr"
  assert_not_ran
}

@test "arm64: NODE_OPTIONS cannot load code into it (execArgvExtension none)" {
  d=$(scratch_dir)
  echo "require('fs').writeFileSync('$(marker)', 'x')" >"$d/evil.js"
  NODE_OPTIONS="--require $d/evil.js" run arm64 --version
  assert_success
  assert_not_ran
}
