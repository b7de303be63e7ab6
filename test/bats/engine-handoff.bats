#!/usr/bin/env bats
# The clean hand-off: from a deliberately dirty parent (extra groups, ignored and blocked
# signals, extra open descriptors), the command gets fds 0 1 2 only, default signals, an empty
# mask, the planned groups, its own stdio flags, and secwrap's PID.

load helpers

# dirty CMD...: run CMD with SIGPIPE, SIGINT, SIGHUP ignored, SIGUSR1 and SIGTERM blocked,
# supplementary groups 4260 and 4243, and descriptors 7 and 19 open (perl, in perl-base).
dirty() {
  exec "$SETPRIV" --groups 4260,4243 perl -MPOSIX -e '
    $SIG{PIPE} = "IGNORE"; $SIG{INT} = "IGNORE"; $SIG{HUP} = "IGNORE";
    sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGUSR1, SIGTERM)) or die "sigprocmask: $!";
    exec @ARGV or die "exec: $!";' "$@" 7</etc/hostname 19</etc/passwd
}

# open_fds PID: the descriptors of a running process, once it has exec'd sleep (so the listing
# is the command's, not secwrap's), sorted, space-separated. Kills it afterwards.
open_fds() {
  local pid=$1 i
  for i in $(seq 100); do
    [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == */sleep ]] && break
    sleep 0.05
  done
  [[ $(readlink "/proc/$pid/exe") == */sleep ]] || fail "pid $pid never became sleep"
  ls "/proc/$pid/fd" | sort -n | tr '\n' ' '
  kill "$pid"
}

@test "the dirty parent really is dirty (control)" {
  run dirty cat /proc/self/status
  assert_success
  assert_line --regexp '^SigIgn:[[:space:]]+0+1003$'
  assert_line --regexp '^SigBlk:[[:space:]]+0+4200$'
  assert_line --regexp '^Groups:[[:space:]]+4243 4260'
  run dirty ls /proc/self/fd
  assert_line 7
  assert_line 19
}

@test "signals: SigIgn 0 and SigBlk 0 for the command" {
  run dirty "$SECWRAP" -u ecuser -- cat /proc/self/status
  assert_success
  assert_line --regexp '^SigIgn:[[:space:]]+0+$'
  assert_line --regexp '^SigBlk:[[:space:]]+0+$'
}

@test "groups: the planned ones, never the caller's" {
  run dirty "$SECWRAP" -u ecother -- cat /proc/self/status
  assert_line --regexp '^Groups:[[:space:]]+4244 4250[[:space:]]*$'
}

@test "groups: a root target without a user keeps the caller's groups only when nothing asks otherwise" {
  run dirty "$SECWRAP" -g ecmail -- cat /proc/self/status
  assert_line --regexp '^Gid:[[:space:]]+4243'
  assert_line --regexp '^Groups:[[:space:]]*$'
}

@test "descriptors: only 0 1 2 reach the command (same PID, inspected from outside)" {
  dirty "$SECWRAP" -u ecuser -- sleep 30 </dev/null >/dev/null 2>&1 &
  assert_equal "$(open_fds $!)" '0 1 2 '
}

@test "descriptors: --preserve-fds passes 3..3+N-1 and no more" {
  bash -c 'exec "$0" -u ecuser --preserve-fds 2 -- sleep 30' "$SECWRAP" </dev/null >/dev/null 2>&1 \
    3</etc/hostname 4</etc/hostname 5</etc/hostname &
  assert_equal "$(open_fds $!)" '0 1 2 3 4 '
}

@test "descriptors: systemd socket activation for this PID keeps LISTEN_FDS" {
  bash -c 'LISTEN_FDS=2 LISTEN_PID=$$ exec "$0" -u ecuser -- sleep 30' "$SECWRAP" </dev/null >/dev/null 2>&1 \
    3</etc/hostname 4</etc/hostname 5</etc/hostname &
  assert_equal "$(open_fds $!)" '0 1 2 3 4 '
}

@test "descriptors: LISTEN_PID for another process passes nothing" {
  bash -c 'LISTEN_FDS=1 LISTEN_PID=1 exec "$0" -u ecuser -- sleep 30' "$SECWRAP" </dev/null >/dev/null 2>&1 3</etc/hostname &
  assert_equal "$(open_fds $!)" '0 1 2 '
}

@test "yes | head -1 ends (SIGPIPE is default again)" {
  run dirty timeout 20 "$SECWRAP" -u ecuser -- sh -c 'yes | head -1; echo done'
  assert_success
  assert_output $'y\ndone'
}

@test "stdio: stdout and stdin are not left non-blocking" {
  # fdinfo flags are octal; O_NONBLOCK is 04000.
  out=$(sleep 2 | "$SECWRAP" -u ecuser -- sh -c 'grep ^flags /proc/self/fdinfo/0; grep ^flags /proc/self/fdinfo/1' | cat)
  while read -r _ flags; do
    (( (8#$flags & 8#4000) == 0 )) || fail "O_NONBLOCK set: $out"
  done <<<"$out"
  [[ $(wc -l <<<"$out") -eq 2 ]] || fail "$out"
}

@test "stdio: a non-blocking stdout stays non-blocking (flags as they were)" {
  out=$(perl -MFcntl -e 'fcntl(STDOUT, F_SETFL, fcntl(STDOUT, F_GETFL, 0) | O_NONBLOCK) or die; exec @ARGV' \
    "$SECWRAP" -u ecuser -- sh -c 'grep ^flags /proc/self/fdinfo/1' | cat)
  flags=$(awk '{print $2}' <<<"$out")
  (( (8#$flags & 8#4000) != 0 )) || fail "O_NONBLOCK lost: $out"
}

@test "same PID: the command replaces secwrap" {
  run sh -c 'echo $$; exec "$0" -u ecuser -- sh -c "echo \$\$"' "$SECWRAP"
  assert_success
  assert_equal "${lines[0]}" "${lines[1]}"
}

@test "arguments and environment pass byte for byte, as with setpriv (bytes that are not UTF-8)" {
  # Node decodes argv and the environment as UTF-8; secwrap takes the command's arguments from
  # /proc/self/cmdline and passes environ on through execvp, so a Latin-1 byte arrives unchanged.
  arg=$'caf\xe9 \xff\xfe'
  val=$'v\xe9l\x80'
  a=$(env -i PATH=/usr/bin:/bin "X=$val" "$SECWRAP" --keep-env -u ecuser -- /usr/bin/sh -c 'printf "%s|%s" "$1" "$X" | od -An -tx1' sh "$arg")
  b=$(env -i PATH=/usr/bin:/bin "X=$val" setpriv --reuid 4242 --regid 4242 --init-groups /usr/bin/sh -c 'printf "%s|%s" "$1" "$X" | od -An -tx1' sh "$arg")
  assert_equal "$a" "$b"
  [[ $a == *"63 61 66 e9 20 ff fe 7c 76 e9 6c 80"* ]] || fail "$a"
}

@test "environment: HOME USER LOGNAME from the target's passwd entry, the rest passes" {
  run env -i PATH=/usr/bin:/bin FOO=bar HOME=/root USER=root "$SECWRAP" -u ecuser -- env
  assert_line HOME=/home/ecuser
  assert_line USER=ecuser
  assert_line LOGNAME=ecuser
  assert_line FOO=bar
}

@test "environment: HOME=/ and numeric USER for a uid without entry" {
  run env -i PATH=/usr/bin:/bin "$SECWRAP" -u 4299 -g 4299 -- env
  assert_line HOME=/
  assert_line USER=4299
}

@test "environment: --keep-env touches nothing" {
  run env -i PATH=/usr/bin:/bin HOME=/root FOO=bar "$SECWRAP" --keep-env -u ecuser -- env
  assert_line HOME=/root
  refute_line --partial USER=
}

@test "environment: --reset-env keeps only TERM and sets a safe PATH" {
  run --separate-stderr env -i PATH=/tmp/evil:/usr/bin:/bin TERM=xterm FOO=bar LD_PRELOAD=/tmp/x.so "$SECWRAP" --reset-env -u ecuser -- /usr/bin/env
  assert_success
  assert_line TERM=xterm
  assert_line PATH=/usr/local/bin:/usr/bin:/bin
  assert_line SHELL=/bin/sh
  assert_line HOME=/home/ecuser
  refute_line --partial FOO
  refute_line --partial LD_PRELOAD
}

@test "PATH search happens after the drop with the command's PATH" {
  d=$(scratch_dir)
  chmod 0755 "$d"
  printf '#!/bin/sh\nid -u\n' >"$d/whoami-tool"
  chmod 0755 "$d/whoami-tool"
  run env PATH="$d:/usr/bin:/bin" "$SECWRAP" -u ecuser -- whoami-tool
  assert_output 4242
}

@test "inside a chroot the command is looked up inside the jail" {
  jail=$(make_jail)
  run env PATH=/usr/bin:/bin "$SECWRAP" --chroot "$jail" -u ecuser -- sh -c 'pwd; ls /'
  assert_success
  assert_line --index 0 /
  refute_line srv
}

@test "--new-session: the command has no controlling terminal (TIOCSTI defence)" {
  run script -qec "$SECWRAP --new-session -u ecuser -- cat /proc/self/stat" /dev/null
  assert_success
  tty_nr=$(awk '{print $7}' <<<"$output")
  assert_equal "$tty_nr" 0
  # Control: without --new-session the command shares the terminal.
  run script -qec "$SECWRAP -u ecuser -- cat /proc/self/stat" /dev/null
  tty_nr=$(awk '{print $7}' <<<"$output")
  [[ $tty_nr != 0 ]] || fail "control run had no terminal: $output"
}

@test "--new-session from a process that is not a group leader starts a new session" {
  run sh -c '"$0" --new-session -u ecuser -- sh -c "echo \$\$; cut -d\" \" -f6 /proc/\$\$/stat"; true' "$SECWRAP"
  assert_success
  assert_equal "${lines[0]}" "${lines[1]}"
}

@test "--verbose prints each step to stderr" {
  run --separate-stderr "$SECWRAP" -v -u ecuser --caps cap_net_bind_service+ep -- true
  assert_success
  for step in close-fds bounding-set keep-caps groups gid uid caps ambient verify signals stdio exec; do
    [[ $stderr == *"secwrap: $step"* ]] || fail "no $step in: $stderr"
  done
}

@test "non-root with nothing to change simply execs" {
  run "$SETPRIV" --reuid 4250 --regid 4250 --clear-groups "$SECWRAP" -- id -u
  assert_success
  assert_output 4250
}
