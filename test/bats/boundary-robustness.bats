#!/usr/bin/env bats
# Robustness at the edges of what the kernel, the C library and Node accept: very many
# supplementary groups, a closed stderr, huge names, Node's own environment variables, hostile
# config sizes, repeated options and LISTEN_FDS. Each attack is reproduced as written; each must
# be refused (exit 125, one line on stderr, the command never runs) or behave as setpriv or id.
# Runs as root in run-bats.sh's private mount namespace with the fixture users.

load helpers

# with_groups N CMD...: run CMD as root holding N supplementary groups (0 … N-1), set with
# setgroups(2) by perl (setpriv --groups takes one argument, which the kernel caps at 128 KiB).
with_groups() {
  local n=$1
  shift
  perl -e '$) = "0 " . join(" ", 0 .. $ARGV[0] - 1); $! and die "setgroups: $!\n"; shift; exec @ARGV or die "exec: $!\n"' "$n" "$@"
}

# --- supplementary groups beyond a 16 KiB /proc/self/status ---------------------------------

@test "groups: a target of 3,001 supplementary groups gives what setpriv gives" {
  g=$(seq -s, 100000 103000)
  run compare_with_setpriv -u 65534 -g 65534 -G "$g" --vs-- --reuid 65534 --regid 65534 --groups "$g"
  assert_success
  assert_line --regexp "^Groups: 100000 100001 .* 103000$"
}

@test "groups: a caller holding 65,536 groups drops as setpriv does" {
  run with_groups 65536 awk '/^Groups:/ { print NF - 1 }' /proc/self/status
  assert_output 65536
  a=$(with_groups 65536 "$SECWRAP" -u 65534 -g 65534 -G 4243 -- cat /proc/self/status | status_fields)
  b=$(with_groups 65536 "$SETPRIV" --reuid 65534 --regid 65534 --groups 4243 cat /proc/self/status | status_fields)
  [[ $(wc -l <<<"$a") -eq 9 ]] || fail "secwrap: $a"
  [[ "$a" == "$b" ]] || fail "differs from setpriv: $a / $b"
}

@test "groups: a caller with 65,536 groups keeping them (no user or group set) execs with all of them" {
  run with_groups 65536 "$SECWRAP" -- awk '/^Groups:/ { print NF - 1 }' /proc/self/status
  assert_success
  assert_output 65536
}

@test "groups: a config of 65,536 supplementary groups (NGROUPS_MAX) is applied in full" {
  conf=$(perl -e 'print "security {\n user = 65534\n group = 65534\n supplemental_groups = (", join(" ", 100000 .. 165535), ")\n}\n"' | write_conf)
  run "$SECWRAP" -c "$conf" -- awk '/^Groups:/ { print NF - 1, $2, $NF }' /proc/self/status
  assert_success
  assert_output "65536 100000 165535"
}

# --- stderr on a pipe whose reader has exited -------------------------------------------------

# closed_stderr CMD...: run CMD with stderr on a pipe (a FIFO) that no process reads any more, so
# a write there fails with EPIPE, or raises SIGPIPE where the signal is not ignored.
closed_stderr() {
  local f="$BATS_TEST_TMPDIR/fifo" rw w rc=0
  mkfifo "$f"
  exec {rw}<>"$f"  # a reader, so that opening for writing does not block
  exec {w}>"$f"
  exec {rw}<&-     # the only reader gone
  "$@" 2>&$w || rc=$?
  exec {w}>&-
  rm -f "$f"
  return "$rc"
}

@test "epipe: control: a writer that ignores SIGPIPE gets EPIPE there" {
  run closed_stderr bash -c 'trap "" PIPE; echo x >&2 || exit 7'
  assert_failure 7
}

@test "epipe: a refusal before the hand-off still exits 125 with stderr on a closed pipe" {
  run closed_stderr "$SECWRAP" -u no-such-user -- touch "$(marker)"
  assert_failure 125
  assert_output ''
  assert_not_ran
}

@test "epipe: a usage error and explain's refusal still exit 125 with stderr on a closed pipe" {
  run closed_stderr "$SECWRAP" --bogus -- true
  assert_failure 125
  run closed_stderr "$SECWRAP" explain -u no-such-user
  assert_failure 125
}

@test "epipe: a failed exec after the hand-off (SIGPIPE default again) exits 127, not by SIGPIPE" {
  run -127 closed_stderr "$SECWRAP" -u 65534 -g 65534 -- /nonexistent/command
  assert_failure 127
}

@test "epipe: a command that cannot be executed after the hand-off exits 126, not by SIGPIPE" {
  run -126 closed_stderr "$SECWRAP" -u 65534 -g 65534 -- /etc/passwd
  assert_failure 126
}

@test "epipe: with -v and stderr on a closed pipe the first log line fails: 125, nothing runs" {
  run closed_stderr "$SECWRAP" -v -u 65534 -g 65534 -- touch "$(marker)"
  assert_failure 125
  assert_not_ran
}

# --- names bounded before any lookup; messages bound what they echo ----------------------------

# A config whose `security` sets OPTION to a quoted string of N copies of CHAR.
long_conf() { perl -e 'print "security {\n user = 65534\n group = 65534\n $ARGV[0] = \"", $ARGV[1] x $ARGV[2], "\"\n}\n"' "$@" | write_conf; }

@test "names: control: the 4 MiB user name crashes libnss_systemd (getent dies by SIGABRT)" {
  grep -q '^passwd:.*systemd' /etc/nsswitch.conf || skip "nss-systemd is not configured here"
  # The lookup secwrap made, by another libc program (getent cannot take a 4 MiB argument).
  run perl -e 'getpwnam("a" x 4194304); print "alive\n"'
  assert_failure 134
}

@test "names: a 4 MiB user name in the config is refused before any lookup: 125, one short line" {
  conf=$(long_conf user a 4194304)
  run --separate-stderr "$SECWRAP" -c "$conf" -- touch "$(marker)"
  assert_failure 125
  assert_not_ran
  [[ $(wc -l <<<"$stderr") -eq 1 && ${#stderr} -lt 300 ]] || fail "stderr: ${#stderr} characters"
  [[ $stderr == *'user name "aaaa'*'…" (4194304 characters) is 4194304 bytes long; at most 255 are accepted' ]] || fail "$stderr"
}

@test "names: 4 MiB group and supplementary group names are refused the same way" {
  conf=$(long_conf group b 4194304)
  run --separate-stderr "$SECWRAP" -c "$conf" -- touch "$(marker)"
  assert_failure 125
  [[ $stderr == *'group name "bbbb'*'is 4194304 bytes long'* && ${#stderr} -lt 300 ]] || fail "$stderr"
  conf=$(perl -e 'print "security {\n user = 65534\n group = 65534\n supplemental_groups = ( 4243 \"", "c" x 4194304, "\" )\n}\n"' | write_conf)
  run --separate-stderr "$SECWRAP" -c "$conf" -- touch "$(marker)"
  assert_failure 125
  [[ $stderr == *'group name "cccc'*'is 4194304 bytes long'* && ${#stderr} -lt 300 ]] || fail "$stderr"
  assert_not_ran
}

@test "names: 255 bytes pass the bound (an unknown user), 256 are refused; flags and explain too" {
  run --separate-stderr "$SECWRAP" -u "$(printf 'u%.0s' {1..255})" -- true
  assert_failure 125
  [[ $stderr == *'unknown user'* ]] || fail "$stderr"
  run --separate-stderr "$SECWRAP" -u "$(printf 'u%.0s' {1..256})" -- true
  assert_failure 125
  [[ $stderr == *'is 256 bytes long; at most 255 are accepted' ]] || fail "$stderr"
  run --separate-stderr "$SECWRAP" explain -u 65534 -G "4243,$(printf 'g%.0s' {1..300})"
  assert_failure 125
  [[ $stderr == *'group name "ggg'*'is 300 bytes long'* ]] || fail "$stderr"
}

@test "names: a numeric id of 100,000 digits is refused by the bound, not echoed whole" {
  run --separate-stderr "$SECWRAP" -u "$(head -c 100000 /dev/zero | tr '\0' 9)" -- true
  assert_failure 125
  [[ ${#stderr} -lt 300 && $stderr == *'is 100000 bytes long'* ]] || fail "${#stderr}: ${stderr:0:200}"
}

@test "messages: a 100 KB --groups, --caps or command name is echoed short, controls escaped" {
  big=$(head -c 100000 /dev/zero | tr '\0' c)
  run --separate-stderr "$SECWRAP" -u 65534 -G ",$big" -- true
  assert_failure 125
  [[ ${#stderr} -lt 300 && $stderr == *'--groups ",ccc'*'empty entry in the list' ]] || fail "${stderr:0:300}"
  run --separate-stderr "$SECWRAP" -u 65534 --caps "$big+ep" -- true
  assert_failure 125
  [[ ${#stderr} -lt 400 && $stderr == *'unknown capability "ccc'* ]] || fail "${stderr:0:300}"
  PATH=/usr/bin:/bin run -127 --separate-stderr "$SECWRAP" -u 65534 -g 65534 -- "$(printf 'no\033[2J\ncmd')"
  assert_equal "$stderr" 'secwrap: "no\x1b[2J\x0acmd": command not found (PATH="/usr/bin:/bin")'
  run --separate-stderr "$SECWRAP" caps "$big+ep"
  assert_failure 1
  [[ ${#output} -lt 800 && $output == *': error: clause "ccc'* ]] || fail "${output:0:300}"
}

@test "messages: a failure naming 65,537 supplementary groups is one line of a few hundred bytes" {
  conf=$(perl -e 'print "security {\n user = 65534\n group = 65534\n supplemental_groups = (", join(" ", 100000 .. 165536), ")\n}\n"' | write_conf)
  run --separate-stderr "$SECWRAP" -c "$conf" -- touch "$(marker)"
  assert_failure 125
  assert_not_ran
  [[ $(wc -l <<<"$stderr") -eq 1 && ${#stderr} -lt 400 ]] || fail "${#stderr}: ${stderr:0:300}"
  [[ $stderr == *'setgroups failed: EINVAL'*'(65537 in all)'* ]] || fail "$stderr"
}
