#!/usr/bin/env bats
# The fault matrix: every failure exits 125 (secwrap), 126 (found, not executable) or 127 (not
# found) with one line on stderr, and the command provably never runs (it would create a marker).

load helpers

# expect_fault CODE MESSAGE_PART SECWRAP_ARGS...   (the command is appended)
expect_fault() {
  local code=$1 part=$2
  shift 2
  run --separate-stderr "$SECWRAP" "$@" -- touch "$(marker)"
  assert_equal "$status" "$code"
  [[ $stderr == *"$part"* ]] || fail "stderr lacks '$part': $stderr"
  assert_equal "$(wc -l <<<"$stderr")" 1
  [[ $stderr == secwrap:* ]] || fail "stderr does not start with secwrap: $stderr"
  assert_not_ran
}

@test "unknown user name" {
  expect_fault 125 'unknown user "nosuchuser"' -u nosuchuser
}

@test "gosu's cases: 0day is a name, not uid 0" {
  expect_fault 125 'unknown user "0day"' -u 0day
  # -u USER:GROUP: 0day is the group part, and a name there too
  expect_fault 125 'unknown group "0day"' -u 0:0day
}

@test "numeric user without passwd entry and no group" {
  expect_fault 125 'user 4299 has no passwd entry' -u 4299
}

@test "uid out of range, (uid_t)-1 included" {
  expect_fault 125 'out of range' -u 4294967295
}

@test "unknown group" {
  expect_fault 125 'unknown group "nosuchgroup"' -u ecuser -g nosuchgroup
}

@test "unknown group in the supplementary list" {
  expect_fault 125 'unknown group "nosuchgroup"' -u ecuser -G ecmail,nosuchgroup
}

@test "unknown capability name, with a suggestion" {
  expect_fault 125 'did you mean "cap_net_bind_service"' -u ecuser --caps cap_net_bind_servic+ep
}

@test "capability beyond the running kernel's last capability" {
  expect_fault 125 "beyond this kernel's last capability" -u ecuser --caps 63+ep
}

@test "capability outside the current bounding set" {
  run --separate-stderr "$SETPRIV" --bounding-set=-net_raw "$SECWRAP" -u ecuser --caps cap_net_raw+ep -- touch "$(marker)"
  assert_equal "$status" 125
  [[ $stderr == *"cap_net_raw is not in the current bounding set"* ]] || fail "$stderr"
  assert_not_ran
}

@test "config syntax error names file:line:col" {
  conf=$(write_conf <<'CONF'
security {
  user = ecuser
  group =
}
CONF
)
  expect_fault 125 "$conf:4:" -c "$conf"
}

@test "missing config file" {
  expect_fault 125 "/nonexistent/ecelerity.conf" -c /nonexistent/ecelerity.conf
}

@test "typo in the security scope, with did-you-mean" {
  conf=$(write_conf <<'CONF'
security { user = ecuser capabilites = "cap_net_raw+ep" }
CONF
)
  expect_fault 125 'did you mean "capabilities"' -c "$conf"
}

@test "relative chroot" {
  expect_fault 125 'must be an absolute path' -u ecuser --chroot var/jail
}

@test "chroot that does not exist" {
  expect_fault 125 'chroot /nonexistent/jail: /nonexistent: no such file or directory' -u ecuser --chroot /nonexistent/jail
}

@test "missing privilege: run by a non-root user, names the capability" {
  run --separate-stderr "$SETPRIV" --reuid 4250 --regid 4250 --clear-groups "$SECWRAP" -u ecuser -- touch "$BATS_TEST_TMPDIR/x"
  assert_equal "$status" 125
  [[ $stderr == *"lacks CAP_SET"* ]] || fail "$stderr"
  [[ ! -e $BATS_TEST_TMPDIR/x ]]
}

@test "missing privilege: root without CAP_SETUID in its bounding set" {
  run --separate-stderr "$SETPRIV" --bounding-set=-setuid "$SECWRAP" -u ecuser -- touch "$(marker)"
  assert_equal "$status" 125
  [[ $stderr == *"lacks CAP_SETUID"* ]] || fail "$stderr"
  assert_not_ran
}

@test "missing privilege: a capability to retain that secwrap does not hold" {
  run --separate-stderr "$SETPRIV" --inh-caps=-all --bounding-set=-all,+setuid,+setgid,+setpcap "$SECWRAP" -u ecuser --caps cap_net_bind_service+ep -- touch "$(marker)"
  assert_equal "$status" 125
  [[ $stderr == *"cap_net_bind_service"* ]] || fail "$stderr"
  assert_not_ran
}

@test "--keep-env and --reset-env conflict" {
  run --separate-stderr "$SECWRAP" --keep-env --reset-env -u ecuser -- touch "$(marker)"
  assert_equal "$status" 125
  assert_not_ran
}

@test "--preserve-fds naming a descriptor that is not open" {
  expect_fault 125 'descriptor 5 was to be passed on but is' -u ecuser --preserve-fds 3
}

@test "NUL byte in a config value is refused" {
  d=$(scratch_dir)
  printf 'security {\n  user = "ecu\000ser"\n}\n' >"$d/nul.conf"
  chmod 0644 "$d/nul.conf"
  run --separate-stderr "$SECWRAP" -c "$d/nul.conf" -- touch "$(marker)"
  assert_equal "$status" 125
  assert_not_ran
}

@test "installed setuid: refused" {
  d=$(scratch_dir)
  secwrap_copy_at "$d/secwrap-suid"
  chmod 4755 "$d/secwrap-suid"
  run --separate-stderr "$SETPRIV" --reuid 4250 --regid 4250 --clear-groups "$d/secwrap-suid" -u ecuser -- touch "$BATS_TEST_TMPDIR/x"
  assert_equal "$status" 125
  [[ $stderr == *"refusing to run setuid"* ]] || fail "$stderr"
  [[ ! -e $BATS_TEST_TMPDIR/x ]]
}

@test "no command given" {
  run --separate-stderr "$SECWRAP" -u ecuser
  assert_equal "$status" 125
  [[ $stderr == *"no command given"* ]] || fail "$stderr"
}

@test "command not found: 127" {
  run -127 --separate-stderr env PATH=/usr/bin:/bin "$SECWRAP" -u ecuser -- no-such-command-secwrap
  assert_equal "$status" 127
  [[ $stderr == *"command not found"* ]] || fail "$stderr"
}

@test "command path that does not exist: 127" {
  run -127 --separate-stderr "$SECWRAP" -u ecuser -- /nonexistent/bin/tool
  assert_equal "$status" 127
}

@test "command found but not executable: 126" {
  d=$(scratch_dir)
  printf '#!/bin/sh\ntouch %s\n' "$(marker)" >"$d/noexec"
  chmod 0644 "$d/noexec"
  run --separate-stderr "$SECWRAP" -u ecuser -- "$d/noexec"
  assert_equal "$status" 126
  [[ $stderr == *"Permission denied"* ]] || fail "$stderr"
  assert_not_ran
}

@test "a directory as the command: 126" {
  run --separate-stderr "$SECWRAP" -u ecuser -- /usr
  assert_equal "$status" 126
}

@test "not executable by the target user (searched in PATH): 126" {
  d=$(scratch_dir)
  chmod 0755 "$d"
  printf '#!/bin/sh\ntouch %s\n' "$(marker)" >"$d/rootonly"
  chmod 0700 "$d/rootonly"
  run --separate-stderr env PATH="$d:/usr/bin:/bin" "$SECWRAP" -u ecuser -- rootonly
  assert_equal "$status" 126
  assert_not_ran
}
