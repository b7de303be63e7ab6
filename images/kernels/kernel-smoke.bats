#!/usr/bin/env bats
# Checks that the guest of the real-kernel harness (images/kernels) is the environment the other
# suites expect: the kernel we meant to boot, a full bounding set, working ambient capabilities,
# the fixture users, and a runnable $SECWRAP. It lives here, not in test/bats, because it is
# meaningful only inside a guest (the host's bounding set is not full): run elsewhere, it fails.

setup() {
  [[ ${SECWRAP_KERNEL_GUEST:-} == 1 ]] || { echo "this suite runs only inside images/kernels guests" >&2; return 1; }
}

# status field ($2, e.g. CapBnd) of /proc/self/status of the command that follows
cap_field() {
  local field=$1; shift
  "$@" grep "^$field:" /proc/self/status | awk '{print $2}'
}

@test "kernel: uname -r is the kernel the harness booted" {
  [[ -n ${SECWRAP_EXPECT_KERNEL:-} ]]
  run uname -r
  [[ $status -eq 0 ]]
  [[ $output == "$SECWRAP_EXPECT_KERNEL" ]]
}

@test "kernel: uid 0 with the full bounding set, CAP_SYS_RESOURCE included" {
  [[ $(id -u) -eq 0 ]]
  last=$(cat /proc/sys/kernel/cap_last_cap)
  (( last >= 37 ))
  bnd=$((16#$(cap_field CapBnd)))
  (( bnd == (1 << (last + 1)) - 1 ))
  (( bnd & (1 << 24) ))   # CAP_SYS_RESOURCE: missing on the usual host, the point of the guests
}

@test "kernel: ambient capabilities survive a uid change via setpriv" {
  getent passwd ecuser | grep -q '^ecuser:x:4242:4242:'
  run /usr/bin/setpriv --inh-caps=+net_bind_service --ambient-caps=+net_bind_service \
    --reuid 4242 --regid 4242 --clear-groups grep -E '^(Uid|CapAmb|CapEff):' /proc/self/status
  [[ $status -eq 0 ]]
  [[ $output == *"CapAmb:	0000000000000400"* ]]
  [[ $output == *"CapEff:	0000000000000400"* ]]
  [[ $output == *"Uid:	4242	4242	4242	4242"* ]]
}

@test "kernel: capsh (libcap2-bin) and the cluster capabilities are known to this kernel" {
  run capsh --supports=cap_sys_resource
  [[ $status -eq 0 ]]
  for c in net_admin net_bind_service net_raw sys_resource; do
    capsh --supports="cap_$c"
  done
}

@test "kernel: \$SECWRAP has its shared libraries and runs --version" {
  [[ -x $SECWRAP ]]
  if head -c4 "$SECWRAP" | grep -q ELF; then
    run ldd "$SECWRAP"
    [[ $output != *"not found"* ]]
  fi
  run "$SECWRAP" --version
  echo "$output"
  [[ $status -eq 0 ]]
  [[ -n $output ]]
}
