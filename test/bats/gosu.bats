#!/usr/bin/env bats
# gosu mode: secwrap started as `gosu` (a symlink) against the real gosu from Debian's package,
# field by field: the nine credential fields of /proc/self/status, the user and group names, HOME
# and USER. gosu reads /etc/passwd and /etc/group itself; secwrap asks NSS. The fixture users are
# in those files (test/run-bats.sh), so both see the same database.

load helpers

setup() {
  GOSU=$(command -v gosu || true)
  [[ -n $GOSU ]] || skip "gosu is not installed (apt-get install gosu)"
  mkdir -p "$BATS_TEST_TMPDIR/bin"
  ln -sf "$SECWRAP" "$BATS_TEST_TMPDIR/bin/gosu"
  SW_GOSU=$BATS_TEST_TMPDIR/bin/gosu
}

# What the command reports about itself: credentials, names, HOME, USER.
PROBE='grep -E "^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):" /proc/self/status | sed -E "s/[[:space:]]+/ /g; s/ \$//"
echo "names: $(id -un 2>/dev/null || echo -) $(id -gn 2>/dev/null || echo -)"
echo "HOME=${HOME-unset} USER=${USER-unset}"'

# same_as_gosu SPEC [PREFIX...]: both run `PREFIX gosu SPEC sh -c PROBE` with HOME and USER set
# to markers; both must succeed with identical output. Prints secwrap's.
same_as_gosu() {
  local spec=$1 a b
  shift
  a=$(HOME=/marker USER=marker "$@" "$SW_GOSU" "$spec" sh -c "$PROBE") || fail "secwrap as gosu failed for [$spec]"
  b=$(HOME=/marker USER=marker "$@" "$GOSU" "$spec" sh -c "$PROBE") || fail "gosu failed for [$spec]"
  [[ "$a" == "$b" ]] || fail "differs from gosu for [$spec]
secwrap:
$a
gosu:
$b"
  echo "$a"
}

field() { grep "^$1" <<<"$2"; }

@test "gosu user: passwd uid, gid and HOME; groups that list the user (not the primary one)" {
  out=$(same_as_gosu ecuser)
  assert_equal "$(field Uid "$out")" "Uid: 4242 4242 4242 4242"
  assert_equal "$(field Groups "$out")" "Groups: 4243 4244"
  assert_equal "$(field HOME "$out")" "HOME=/home/ecuser USER=marker"
  assert_equal "$(field names "$out")" "names: ecuser ecuser"
}

@test "gosu user: (empty group part) is user" {
  out=$(same_as_gosu ecuser:)
  assert_equal "$(field Groups "$out")" "Groups: 4243 4244"
}

@test "gosu user:group by name: exactly that group, no supplementary groups" {
  out=$(same_as_gosu ecuser:ecmail)
  assert_equal "$(field Gid "$out")" "Gid: 4243 4243 4243 4243"
  assert_equal "$(field Groups "$out")" "Groups:"
}

@test "gosu user:gid, uid:gid, uid:group" {
  out=$(same_as_gosu ecuser:4260)
  assert_equal "$(field Gid "$out")" "Gid: 4260 4260 4260 4260"
  same_as_gosu 4242:4243
  same_as_gosu 4242:ecadm
  same_as_gosu ecuser:ecuser
  same_as_gosu nobody:root
}

@test "gosu uid with a passwd entry is that user" {
  out=$(same_as_gosu 4242)
  assert_equal "$(field Groups "$out")" "Groups: 4243 4244"
  same_as_gosu 0
  same_as_gosu root
}

@test "gosu uid without a passwd entry keeps the caller's gid; HOME is /" {
  out=$(same_as_gosu 4999)
  assert_equal "$(field Gid "$out")" "Gid: 0 0 0 0"
  assert_equal "$(field HOME "$out")" "HOME=/ USER=marker"
  same_as_gosu 4999:4243
  same_as_gosu 2147483647
  # the caller's (real) gid, whatever it is
  out=$(same_as_gosu 4999 "$SETPRIV" --regid 4260 --keep-groups)
  assert_equal "$(field Gid "$out")" "Gid: 4260 4260 4260 4260"
}

@test "gosu :group and : keep the caller's user (its passwd entry)" {
  out=$(same_as_gosu :ecmail)
  assert_equal "$(field Uid "$out")" "Uid: 0 0 0 0"
  assert_equal "$(field Gid "$out")" "Gid: 4243 4243 4243 4243"
  same_as_gosu :4999
  same_as_gosu :
}

@test "gosu with an empty spec keeps uid and gid (and sets groups and HOME from root's entry, as gosu)" {
  out=$(same_as_gosu '')
  assert_equal "$(field Uid "$out")" "Uid: 0 0 0 0"
  assert_equal "$(field HOME "$out")" "HOME=/root USER=marker"
}

@test "gosu reads ids as gosu does: digits and a sign are an id (007 is uid 7, +4242 is 4242)" {
  same_as_gosu 007
  same_as_gosu +4242
  same_as_gosu ecother
  same_as_gosu nobody
}

# both_refuse SPEC: gosu exits 1, secwrap 125 with one line on stderr; the command never runs.
both_refuse() {
  run --separate-stderr "$GOSU" "$1" touch "$(marker)"
  assert_equal "$status" 1
  assert_not_ran
  run --separate-stderr "$SW_GOSU" "$1" touch "$(marker)"
  assert_equal "$status" 125
  assert_not_ran
  assert_equal "${#stderr_lines[@]}" 1
  echo "$stderr"
}

@test "gosu errors: unknown user, a name like 0day, unknown group, an id out of range" {
  [[ $(both_refuse nosuchuser) == *'unknown user "nosuchuser"'* ]]
  [[ $(both_refuse 0day) == *'unknown user "0day"'* ]]
  [[ $(both_refuse ecuser:nosuchgroup) == *'unknown group "nosuchgroup"'* ]]
  [[ $(both_refuse 2147483648) == *'out of range'* ]]
  [[ $(both_refuse -1) == *'out of range'* ]]
}

@test "gosu --help, -h, -? and --version, -v: stdout, exit 0, as gosu's" {
  for a in --help -h '-?'; do
    run --separate-stderr "$SW_GOSU" "$a"
    assert_success
    assert_line --index 0 "Usage: gosu user-spec command [args]"
    run --separate-stderr "$GOSU" "$a"
    assert_success
    assert_line --index 0 "Usage: gosu user-spec command [args]"
  done
  for a in --version -v; do
    run --separate-stderr "$SW_GOSU" "$a"
    assert_success
    assert_output --regexp '^secwrap [0-9.]+ \(gosu-compatible mode; node v[0-9.]+ on linux/x64\)$'
  done
}

@test "gosu usage errors: too few arguments (gosu 1, secwrap 125), one line" {
  for args in "" "ecuser"; do
    # shellcheck disable=SC2086
    run --separate-stderr "$GOSU" $args
    assert_equal "$status" 1
    # shellcheck disable=SC2086
    run --separate-stderr "$SW_GOSU" $args
    assert_equal "$status" 125
    assert_equal "${#stderr_lines[@]}" 1
    [[ $stderr == *"usage: gosu user-spec command [args]"* ]] || fail "$stderr"
  done
}

@test "gosu mode: a command not found is 127 (gosu: 1)" {
  run --separate-stderr "$GOSU" ecuser /nonexistent/cmd
  assert_equal "$status" 1
  run -127 --separate-stderr "$SW_GOSU" ecuser /nonexistent/cmd
}

@test "gosu mode: the clean hand-off stays on (only fds 0 1 2, default signals)" {
  run bash -c "exec 7</dev/null; trap '' PIPE; '$SW_GOSU' ecuser sh -c 'ls /proc/self/fd; grep ^SigIgn /proc/self/status'"
  assert_success
  refute_line 7
  assert_line --regexp '^SigIgn:[[:space:]]+0+$'
}

@test "gosu's refusal of setuid and setgid installs holds" {
  cp "$GOSU" "$BATS_TEST_TMPDIR/gosu-real"
  cp "$SECWRAP" "$BATS_TEST_TMPDIR/secwrap-copy"
  mkdir -p "$BATS_TEST_TMPDIR/s"
  ln -s "$BATS_TEST_TMPDIR/secwrap-copy" "$BATS_TEST_TMPDIR/s/gosu"
  for bit in u+s g+s; do
    chmod "$bit" "$BATS_TEST_TMPDIR/gosu-real" "$BATS_TEST_TMPDIR/secwrap-copy"
    run --separate-stderr "$BATS_TEST_TMPDIR/gosu-real" ecuser touch "$(marker)"
    assert_equal "$status" 1
    run --separate-stderr "$BATS_TEST_TMPDIR/s/gosu" ecuser touch "$(marker)"
    assert_equal "$status" 125
    [[ $stderr == *"bit set, which is refused"* ]] || fail "$stderr"
    assert_not_ran
    chmod u-s,g-s "$BATS_TEST_TMPDIR/gosu-real" "$BATS_TEST_TMPDIR/secwrap-copy"
  done
}

@test "gosu mode does not load yargs (the fast path): the plain bundle never opens cli.cjs" {
  cd "$SECWRAP_ROOT"
  strace -f -e trace=openat -o "$BATS_TEST_TMPDIR/trace" bash -c 'exec -a gosu node dist/secwrap.cjs ecuser true'
  ! grep -q 'cli\.cjs' "$BATS_TEST_TMPDIR/trace"
  grep -q 'secwrap\.cjs' "$BATS_TEST_TMPDIR/trace"
  # control: the CLI does open it
  strace -f -e trace=openat -o "$BATS_TEST_TMPDIR/trace2" node dist/secwrap.cjs --version
  grep -q 'cli\.cjs' "$BATS_TEST_TMPDIR/trace2"
}
