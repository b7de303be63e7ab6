#!/usr/bin/env bats
# su-exec mode: secwrap started as `su-exec` (a symlink), against the values su-exec.c gives.
#
# The differential against a gcc-built su-exec is blocked: its source (ncopa/su-exec, one C
# file) is in no Debian 12 package and on no npm package (the npm name `su-exec` is an unrelated
# Node addon), and the project does not commit third-party code. So each expected value below
# is derived by reading su-exec.c (v0.2, the one Alpine ships), step by step, as the comment
# beside it says; the caller is root (uid 0, gid 0, root in no group's member list).
#
# su-exec.c in brief: split USER-SPEC at the first ':'; a non-empty user part that strtol reads
# to its end is a uid, else getpwnam() or exit 1; then getpwuid(uid) when no entry yet; an entry
# gives uid, gid and HOME (else the caller's gid and HOME=/); a non-empty group part (strtol, else
# getgrnam() or exit 1) sets gid and makes the supplementary list exactly [gid]; without one, an
# entry gets getgrouplist(name, gid) and a uid without entry gets [gid]; setgid, setuid, execvp.

load helpers

setup() {
  mkdir -p "$BATS_TEST_TMPDIR/bin"
  ln -sf "$SECWRAP" "$BATS_TEST_TMPDIR/bin/su-exec"
  SW_SUEXEC=$BATS_TEST_TMPDIR/bin/su-exec
}

PROBE='u=$(sed -n "s/^Uid:[[:space:]]*//p" /proc/self/status | tr -s "[:space:]" /)
g=$(sed -n "s/^Gid:[[:space:]]*//p" /proc/self/status | tr -s "[:space:]" /)
s=$(sed -n "s/^Groups:[[:space:]]*//p" /proc/self/status | sed "s/ *\$//")
echo "uid=${u%/} gid=${g%/} groups=$s HOME=$HOME"'

# want UID GID "GROUPS" HOME: the probe's line for that identity.
want() { echo "uid=$1/$1/$1/$1 gid=$2/$2/$2/$2 groups=$3 HOME=$4"; }

# spec SPEC UID GID "GROUPS" HOME
spec() {
  local got
  got=$(HOME=/marker "$SW_SUEXEC" "$1" sh -c "$PROBE") || fail "su-exec mode failed for [$1]"
  [[ "$got" == "$(want "$2" "$3" "$4" "$5")" ]] || fail "[$1]: got '$got', su-exec.c gives '$(want "$2" "$3" "$4" "$5")'"
}

@test "su-exec names: user, user:, user:group, user:gid" {
  spec ecuser 4242 4242 "4242 4243 4244" /home/ecuser     # getpwnam; getgrouplist("ecuser", 4242)
  spec ecuser: 4242 4242 "4242 4243 4244" /home/ecuser    # group[0] == '\0': as no group part
  spec ecuser:ecmail 4242 4243 "4243" /home/ecuser        # getgrnam; pw = NULL → setgroups(1, &gid)
  spec ecuser:ecuser 4242 4242 "4242" /home/ecuser        # the same: the group alone, not initgroups
  spec ecuser:4260 4242 4260 "4260" /home/ecuser          # strtol("4260") → gid; setgroups(1, &gid)
  spec ecother 4250 4250 "4244 4250" /nonexistent         # getgrouplist("ecother", 4250)
  spec nobody 65534 65534 "65534" /nonexistent            # nogroup lists nobody in no group
  spec nobody:root 65534 0 "0" /nonexistent               # getgrnam("root")
  spec root 0 0 "0" /root                                 # getgrouplist("root", 0)
}

@test "su-exec numbers: uid with an entry, uid:gid, uid:group, 007 (strtol reads digits first)" {
  spec 4242 4242 4242 "4242 4243 4244" /home/ecuser       # strtol; getpwuid(4242) → the entry
  spec 4242:4243 4242 4243 "4243" /home/ecuser
  spec 4242:ecadm 4242 4244 "4244" /home/ecuser
  spec 4250 4250 4250 "4244 4250" /nonexistent
  spec 0 0 0 "0" /root
  lp=$(getent passwd 7 | cut -d: -f6)
  spec 007 7 7 "7" "$lp"                                  # strtol("007") = 7: uid 7 (lp), not a name
}

@test "su-exec uid without a passwd entry: the caller's gid, groups [gid], HOME=/" {
  spec 4999 4999 0 "0" /                                  # getpwuid(4999) = NULL: gid = getgid()
  spec 4999:4243 4999 4243 "4243" /
  spec 4999:4999 4999 4999 "4999" /
  spec 4999:ecempty 4999 4260 "4260" /
  # the caller's real gid, whatever it is
  got=$(HOME=/marker "$SETPRIV" --regid 4260 --keep-groups "$SW_SUEXEC" 4999 sh -c "$PROBE")
  assert_equal "$got" "$(want 4999 4260 4260 /)"
}

@test "su-exec empty user part: the caller's entry (getpwuid(getuid()))" {
  spec '' 0 0 "0" /root
  spec : 0 0 "0" /root
  spec :ecmail 0 4243 "4243" /root
  spec :4260 0 4260 "4260" /root
}

# refused SPEC: exit 125 (su-exec: 1), one line on stderr, the command never runs. Prints stderr.
refused() {
  run --separate-stderr "$SW_SUEXEC" "$1" touch "$(marker)"
  assert_equal "$status" 125
  assert_equal "${#stderr_lines[@]}" 1
  assert_not_ran
  echo "$stderr"
}

@test "su-exec unknown names are errors, as in su-exec (which exits 1)" {
  [[ $(refused nosuchuser) == *'unknown user "nosuchuser"'* ]]   # getpwnam → err(1)
  [[ $(refused 0day) == *'unknown user "0day"'* ]]               # strtol stops at 'd': a name
  [[ $(refused ecuser:nosuchgroup) == *'unknown group "nosuchgroup"'* ]] # getgrnam → err(1)
  [[ $(refused ecuser:0day) == *'unknown group "0day"'* ]]
}

@test "su-exec: never a silent uid (su-exec's strtol takes these as uids; secwrap refuses)" {
  [[ $(refused +4242) == *'unknown user "+4242"'* ]]             # su-exec: uid 4242
  [[ $(refused ' 4242') == *'unknown user " 4242"'* ]]           # su-exec: uid 4242
  [[ $(refused -2) == *'unknown user "-2"'* ]]                   # su-exec: uid 4294967294
  [[ $(refused 99999999999) == *'out of range'* ]]               # su-exec: uid 1215752191
  [[ $(refused 4294967295) == *'out of range'* ]]                # su-exec: setuid(-1) fails
}

@test "su-exec usage: no argument prints the usage (exit 0, as su-exec); a spec alone is an error (125)" {
  run --separate-stderr "$SW_SUEXEC"
  assert_success
  assert_output "Usage: $SW_SUEXEC user-spec command [args]"
  run --separate-stderr "$SW_SUEXEC" --help
  assert_success
  run --separate-stderr "$SW_SUEXEC" ecuser
  assert_equal "$status" 125
  assert_equal "${#stderr_lines[@]}" 1
}

@test "su-exec mode: exit codes 127 and 126 for the command, its own code otherwise" {
  run -127 --separate-stderr "$SW_SUEXEC" ecuser /nonexistent/cmd
  run -126 --separate-stderr "$SW_SUEXEC" ecuser /etc/passwd
  run -3 "$SW_SUEXEC" ecuser sh -c 'exit 3'
}

@test "su-exec mode: only HOME changes in the environment" {
  run env -i PATH=/usr/bin:/bin USER=marker LOGNAME=marker FOO=bar "$SW_SUEXEC" ecuser env
  assert_success
  assert_equal "$(sort <<<"$output" | tr '\n' ' ')" "FOO=bar HOME=/home/ecuser LOGNAME=marker PATH=/usr/bin:/bin USER=marker "
}

@test "su-exec mode does not load yargs (the fast path): the plain bundle never opens cli.cjs" {
  cd "$SECWRAP_ROOT"
  strace -f -e trace=openat -o "$BATS_TEST_TMPDIR/trace" bash -c 'exec -a su-exec node dist/secwrap.cjs ecuser true'
  ! grep -q 'cli\.cjs' "$BATS_TEST_TMPDIR/trace"
  grep -q 'secwrap\.cjs' "$BATS_TEST_TMPDIR/trace"
}
