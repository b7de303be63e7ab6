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
  [[ ${#stderr} -lt 700 && $stderr == *'unknown capability "ccc'* ]] || fail "${stderr:0:300}"
  PATH=/usr/bin:/bin run -127 --separate-stderr "$SECWRAP" -u 65534 -g 65534 -- "$(printf 'no\033[2J\ncmd')"
  assert_equal "$stderr" 'secwrap: "no\x1b[2J\x0acmd": command not found (PATH="/usr/bin:/bin")'
  run --separate-stderr "$SECWRAP" caps "$big+ep"
  assert_failure 1
  [[ ${#output} -lt 800 && $output == *': error: clause "ccc'* ]] || fail "${output:0:300}"
}

@test "messages: 65,537 supplementary groups (setgroups' EINVAL, 458 KB of message before) are one short line" {
  conf=$(perl -e 'print "security {\n user = 65534\n group = 65534\n supplemental_groups = (", join(" ", 100000 .. 165536), ")\n}\n"' | write_conf)
  run --separate-stderr "$SECWRAP" -c "$conf" -- touch "$(marker)"
  assert_failure 125
  assert_not_ran
  [[ $(wc -l <<<"$stderr") -eq 1 && ${#stderr} -lt 400 ]] || fail "${#stderr}: ${stderr:0:300}"
  assert_equal "$stderr" 'secwrap: 65537 supplementary groups; at most 65536 (NGROUPS_MAX) are accepted'
}

# --- Node's own environment variables (read by Node before secwrap's first line) ---------------

# The flags of fd 0 as the command sees them, and whether it ran, with stdin on a pipe whose
# writer is still open (so a non-blocking read would fail with EAGAIN).
stdin_flags_of() { (sleep 1; echo data) | "$@" sh -c 'grep ^flags: /proc/self/fdinfo/0; cat'; }

@test "node env: control: without NODE_* variables the command reads a blocking stdin pipe" {
  run stdin_flags_of "$SECWRAP" -u 65534 -g 65534 --
  assert_success
  assert_line --index 0 --regexp '^flags:[[:space:]]+0+$'
  assert_line --index 1 data
}

@test "node env: NODE_CHANNEL_FD=0 (stdin a pipe) is refused: 125, one line, the command never runs" {
  NODE_CHANNEL_FD=0 run --separate-stderr stdin_flags_of "$SECWRAP" -u 65534 -g 65534 --
  assert_failure 125
  assert_output ''
  assert_equal "$stderr" 'secwrap: started with a Node IPC channel (NODE_CHANNEL_FD=0): Node made that descriptor non-blocking before secwrap ran; refused'
}

@test "node env: NODE_CHANNEL_FD on another descriptor, or one not open, is refused on every path" {
  NODE_CHANNEL_FD=3 run --separate-stderr "$SECWRAP" -u 65534 -g 65534 -- touch "$(marker)" 3<>/dev/null
  assert_failure 125
  assert_not_ran
  NODE_CHANNEL_FD=99 run --separate-stderr "$SECWRAP" -u 65534 -g 65534 -- touch "$(marker)"
  assert_failure 125
  assert_equal "$stderr" 'secwrap: started with a Node IPC channel (NODE_CHANNEL_FD): Node made that descriptor non-blocking before secwrap ran; refused'
  assert_not_ran
  # explain would otherwise wait on the channel, and check read the caller's input through it
  NODE_CHANNEL_FD=3 run --separate-stderr timeout 10 "$SECWRAP" explain -u 65534 3<>/dev/null
  assert_failure 125
  NODE_CHANNEL_FD=3 run --separate-stderr timeout 10 "$SECWRAP" caps cap_chown+p 3<>/dev/null
  assert_failure 125
}

@test "node env: residual: a NODE_CHANNEL_FD that is not a number fails in Node itself (exit 1)" {
  # Node asserts on it before any secwrap code runs: a stack trace, exit 1; the command never runs.
  NODE_CHANNEL_FD=abc run --separate-stderr "$SECWRAP" -u 65534 -g 65534 -- touch "$(marker)"
  assert_failure 1
  assert_output ''
  [[ $stderr == *ERR_INTERNAL_ASSERTION*setupChildProcessIpcChannel* ]] || fail "$stderr"
  assert_not_ran
}

@test "node env: an empty NODE_CHANNEL_FD is no channel: the command runs and gets it, as with setpriv" {
  NODE_CHANNEL_FD= run "$SECWRAP" -u 65534 -g 65534 -- sh -c 'printenv NODE_CHANNEL_FD | od -An -c'
  assert_success
  assert_output --regexp '^ +\\n$'
}

@test "node env: residual: NODE_UNIQUE_ID with a channel on stdout: Node's cluster message, then 125" {
  # Node sends the worker's "online" message before any secwrap code runs; secwrap then refuses.
  NODE_UNIQUE_ID=1 NODE_CHANNEL_FD=1 run --separate-stderr "$SECWRAP" -u 65534 -g 65534 -- touch "$(marker)"
  assert_failure 125
  assert_output '{"cmd":"NODE_CLUSTER","act":"online","seq":0}'
  assert_not_ran
}

@test "node env: NODE_UNIQUE_ID alone: no output, the command runs with a clean stdout (Node drops the variable)" {
  NODE_UNIQUE_ID=1 run --separate-stderr "$SECWRAP" -u 65534 -g 65534 -- sh -c 'echo ran; printenv NODE_UNIQUE_ID || echo unset'
  assert_success
  assert_output $'ran\nunset'
  assert_equal "$stderr" ''
  NODE_UNIQUE_ID=1 run --separate-stderr "$SECWRAP" explain --format docker -u 65534
  assert_success
  assert_output --regexp '^--cap-drop ALL'
}

@test "node env: residual: NODE_REPL_EXTERNAL_MODULE: Node exits 9 at start; nothing loaded, stdin untouched" {
  d=$(mktemp -d)
  echo "require('fs').writeFileSync('$d/loaded', 'x')" >"$d/repl.js"
  NODE_REPL_EXTERNAL_MODULE="$d/repl.js" run --separate-stderr stdin_flags_of "$SECWRAP" -u 65534 -g 65534 --
  assert_failure 9
  assert_output ''
  assert_equal "$stderr" "$SECWRAP: NODE_REPL_EXTERNAL_MODULE can't be used with kDisableNodeOptionsEnv"
  [[ ! -e $d/loaded ]] || fail "the REPL module was loaded"
  # the caller's stdin pipe stays blocking
  run bash -c '(sleep 1; echo x) | { NODE_REPL_EXTERNAL_MODULE=/nonexistent "$SECWRAP" explain 2>/dev/null; grep ^flags: /proc/self/fdinfo/0; }'
  assert_output --regexp '^flags:[[:space:]]+0+$'
  rm -rf "$d"
}

@test "node env: residual: NODE_COMPILE_CACHE: root creates the folders it names (through symlinks), and nothing in them" {
  d=$(mktemp -d)
  mkdir "$d/target"
  ln -s "$d/target" "$d/link"
  NODE_COMPILE_CACHE="$d/link/a/b" run "$SECWRAP" -u 65534 -g 65534 -- sh -c 'printenv NODE_COMPILE_CACHE'
  assert_success
  # the command still gets the variable (a Node command may want its cache)
  assert_output "$d/link/a/b"
  # Node's mkdir -p followed the symlink; one version folder, no file: no cache is read or written
  run find "$d/target" -mindepth 1 -printf '%y %u %P\n'
  assert_output --regexp "^d root a
d root a/b
d root a/b/v[0-9.]+-x64-[0-9a-f]+-0$"
  NODE_COMPILE_CACHE="$d/c" run "$SECWRAP" explain -u 65534
  assert_success
  run find "$d/c" -type f
  assert_output ''
  rm -rf "$d"
}

# --- config bounds: the worst accepted input stays under 256 MiB and 5 s -----------------------

# measure CMD...: run CMD under /usr/bin/time; sets $rc, $secs and $mib (peak RSS).
measure() {
  local t="$BATS_TEST_TMPDIR/time"
  rc=0
  /usr/bin/time -f '%e %M' -o "$t" "$@" >/dev/null 2>"$BATS_TEST_TMPDIR/stderr" || rc=$?
  read -r secs kib < <(tail -n 1 "$t") # after "Command exited with non-zero status N"
  mib=$((kib / 1024))
}
within_budget() {
  (( mib < 256 )) || fail "peak RSS $mib MiB"
  awk -v s="$secs" 'BEGIN { exit !(s < 5) }' || fail "$secs s"
}

@test "config bounds: the 20 MB config of two million empty scopes is refused fast (check 1, run 125)" {
  [[ -x /usr/bin/time ]] || skip "GNU time is not installed"
  conf=$(perl -e 'print "s$_ {}\n" for 1 .. 2_000_000' | write_conf)
  measure "$SECWRAP" check "$conf"
  assert_equal "$rc" 1
  grep -q 'configuration too large' "$BATS_TEST_TMPDIR/stderr" || fail "$(cat "$BATS_TEST_TMPDIR/stderr")"
  within_budget
  measure "$SECWRAP" -c "$conf" -- touch "$(marker)"
  assert_equal "$rc" 125
  within_budget
  assert_not_ran
}

@test "config bounds: two million scopes in 16 MiB are refused at scope 50,001 or name 25,001" {
  [[ -x /usr/bin/time ]] || skip "GNU time is not installed"
  conf=$(perl -e 'print "s x$_ {}\n" for 1 .. 2_000_000' | head -c 16000000 | write_conf)
  measure "$SECWRAP" check "$conf"
  assert_equal "$rc" 1
  grep -q ':50001:1: configuration too large: more than 50000 scopes' "$BATS_TEST_TMPDIR/stderr" || fail "$(cat "$BATS_TEST_TMPDIR/stderr")"
  within_budget
  conf=$(perl -e 'print "s$_ {}\n" for 1 .. 2_000_000' | head -c 16000000 | write_conf)
  measure "$SECWRAP" check "$conf"
  assert_equal "$rc" 1
  grep -q ':25001:1: configuration too large: more than 25000 different option and scope names' "$BATS_TEST_TMPDIR/stderr" || fail "$(cat "$BATS_TEST_TMPDIR/stderr")"
  within_budget
}

@test "config bounds: the worst accepted shapes load within 256 MiB and 5 s (check and run path)" {
  [[ -x /usr/bin/time ]] || skip "GNU time is not installed"
  # 49,990 scopes with 4 options each from a pool of 24,900 names: 500,000 nodes, all bounds near
  combo=$(perl -e 'my $o = 0; for my $s (1 .. 49_990) { print "s x$s {"; for (1 .. 4) { $o = ($o + 1) % 24_900; print " o$o = v" } print " }\n" }' | write_conf)
  # a security scope with 249,981 supplementary groups
  groups=$(perl -e 'print "security {\n user = 65534\n group = 65534\n supplemental_groups = (", join(" ", 100_000 .. 349_980), ")\n}\n"' | write_conf)
  for conf in "$combo" "$groups"; do
    measure "$SECWRAP" check "$conf"
    assert_equal "$rc" 0
    within_budget
    measure node "$SECWRAP_ROOT/dist/secwrap.cjs" check "$conf"
    assert_equal "$rc" 0
    within_budget
  done
  measure "$SECWRAP" -c "$combo" -- true
  assert_equal "$rc" 0
  within_budget
  # the run path refuses more groups than setgroups takes, before looking any of them up
  run --separate-stderr "$SECWRAP" -c "$groups" -- touch "$(marker)"
  assert_failure 125
  assert_equal "$stderr" 'secwrap: 249981 supplementary groups; at most 65536 (NGROUPS_MAX) are accepted'
  assert_not_ran
}

# --- repeated options; LISTEN_FDS read as systemd reads it --------------------------------------

@test "options: a repeated --preserve-fds (read as 3+1=4 before) is refused: 125, one line" {
  run --separate-stderr "$SECWRAP" -u 65534 -g 65534 --preserve-fds 3 --preserve-fds 1 -- touch "$(marker)" \
    3</dev/null 4</dev/null 5</dev/null 6</dev/null
  assert_failure 125
  assert_equal "$stderr" 'secwrap: option --preserve-fds is given more than once (each option may be given once)'
  assert_not_ran
}

@test "options: any option given twice, in any of its forms, is refused on the run path (125)" {
  for args in '-u 65534 -u 0' '-u 65534 --user=0' '--caps cap_chown+p --caps=' '-G 4243 --groups 4244' \
    '-c /x --config /y' '--no-new-privs --no-new-privs' '-vv' '-v -u 65534 --verbose' '--chroot / --chroot /srv' \
    '--reset-env --reset-env' '--keep-env --keep-env' '--new-session --new-session' '-g 1 -g 2'; do
    # shellcheck disable=SC2086
    run --separate-stderr "$SECWRAP" $args -- touch "$(marker)"
    assert_failure 125
    [[ $stderr == 'secwrap: option --'*' is given more than once (each option may be given once)' ]] || fail "$args: $stderr"
  done
  assert_not_ran
}

@test "options: a repeat in explain or check is a usage error (2); the command's own options are its own" {
  run --separate-stderr "$SECWRAP" explain -u 65534 -u 0
  assert_failure 2
  assert_equal "$stderr" 'secwrap: option --user is given more than once (each option may be given once)'
  run --separate-stderr "$SECWRAP" explain --format json --format k8s -u 65534
  assert_failure 2
  conf=$(write_conf <<<'security { user = 65534 }')
  run --separate-stderr "$SECWRAP" check -c "$conf" --config "$conf"
  assert_failure 2
  run --separate-stderr "$SECWRAP" caps --json cap_chown+p --json
  assert_failure 2
  # after the command's name (or --), a repeat belongs to the command
  run "$SECWRAP" -u 65534 -g 65534 sh -c 'echo "$@"' sh -u -u
  assert_success
  assert_output '-u -u'
  run "$SECWRAP" explain --format docker -u 65534 -- sh -u -u
  assert_success
}

# The descriptors the command holds, socket-activated with LISTEN_FDS=$1 for its own PID.
listen_fds_of() {
  LISTEN_FDS_VALUE=$1 bash -c 'LISTEN_FDS=$LISTEN_FDS_VALUE LISTEN_PID=$$ exec "$0" -u 65534 -g 65534 -- sh -c "ls /proc/self/fd | sort -n | tr \"\n\" \" \""' \
    "$SECWRAP" 3</dev/null 4</dev/null 5</dev/null 6</dev/null 7</dev/null 8</dev/null 9</dev/null
}

@test "LISTEN_FDS: decimal digits are read as systemd reads them" {
  run listen_fds_of 2
  assert_success
  assert_output '0 1 2 3 4 5 '  # 5: the directory ls reads
}

@test "LISTEN_FDS: ' 2', '0x2', '2e0', '+2', '2.0' and '' for this PID are refused: 125, one line" {
  for v in ' 2' '0x2' '2e0' '+2' '2.0' '' '２'; do
    run --separate-stderr listen_fds_of "$v"
    assert_failure 125
    assert_output ''
    assert_equal "$stderr" 'secwrap: LISTEN_FDS (for this PID) is not a decimal number, as systemd requires'
  done
}

@test "LISTEN_FDS: for another PID it is not read at all, whatever it holds" {
  run bash -c 'LISTEN_FDS=0x2 LISTEN_PID=1 exec "$0" -u 65534 -g 65534 -- sh -c "ls /proc/self/fd | sort -n | tr \"\n\" \" \""' "$SECWRAP" 3</dev/null
  assert_success
  assert_output '0 1 2 3 '
}
