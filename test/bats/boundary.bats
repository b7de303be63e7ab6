#!/usr/bin/env bats
# The trust boundary: nobody but root steers what runs with privilege. Each test reproduces an
# attack as a user would try it and asserts the refusal (exit 125, one line, the command never
# runs) or the result id, setpriv or Momentum give. Numbered as the points of the issue that
# listed them. Runs as root in run-bats.sh's private mount namespace (fixture users ecuser 4242,
# ecother 4250); tests that change mounts or the user database do it in a nested namespace.

load helpers

# in_ns SCRIPT: bash SCRIPT in a nested private mount namespace (its mounts die with it).
in_ns() { unshare --mount --propagation private -- bash -c "$1"; }

# as_user UID CMD...: run CMD as uid:gid UID with no groups and no capabilities.
as_user() { local u=$1; shift; "$SETPRIV" --reuid "$u" --regid "$u" --clear-groups -- "$@"; }

# refused_line PART: exit 125, one line on stderr containing PART, the marker never created.
refused_line() {
  assert_equal "$status" 125
  [[ $stderr == *"$1"* ]] || fail "stderr lacks '$1': $stderr"
  assert_equal "$(wc -l <<<"$stderr")" 1
  assert_not_ran
}

# A copy of the executable in a fresh 0755 folder; prints its path.
copy_of_secwrap() {
  local d
  d=$(scratch_dir)
  chmod 0755 "$d"
  cp "$SECWRAP" "$d/secwrap"
  echo "$d/secwrap"
}

# A folder owned by ecother (4250) inside a root-owned 0755 one; prints its path.
users_dir() {
  local d
  d=$(scratch_dir)
  chmod 0755 "$d"
  mkdir -m 0755 "$d/home"
  chown 4250:4250 "$d/home"
  echo "$d/home"
}

# --- 1. privilege is not euid alone -------------------------------------------------------------

@test "1. a copy with file capabilities is refused for a non-root caller, on every subcommand" {
  sw=$(copy_of_secwrap)
  setcap cap_setuid,cap_setgid+ep "$sw"
  run --separate-stderr as_user 4250 "$sw" -u 0 -- touch "$(marker)"
  refused_line 'refusing to run setuid, setgid or with file capabilities (the kernel set AT_SECURE)'
  for args in "check /etc/shadow" "explain -u 0" "caps cap_chown+ep" "--help" "--version" "completion"; do
    # shellcheck disable=SC2086
    run --separate-stderr as_user 4250 "$sw" $args
    assert_equal "$status" 125
    [[ $stderr == *"AT_SECURE"* ]] || fail "$args: $stderr"
    assert_equal "$output" ""
  done
}

@test "1. a setuid copy's check --json /etc/shadow prints nothing of the file" {
  sw=$(copy_of_secwrap)
  chmod 4755 "$sw"
  run --separate-stderr as_user 4250 "$sw" check --json /etc/shadow
  assert_equal "$status" 125
  assert_equal "$output" ""
  [[ $stderr != *"root:"* ]] || fail "the error text shows the file: $stderr"
  [[ $stderr == *"AT_SECURE"* ]] || fail "$stderr"
}

@test "1. a setgid copy is refused" {
  sw=$(copy_of_secwrap)
  chgrp 4243 "$sw"
  chmod 2755 "$sw"
  run --separate-stderr as_user 4250 "$sw" -g 4243 -- touch "$(marker)"
  refused_line 'AT_SECURE'
}

@test "1. a non-root caller with CAP_SETUID ambient: a config it owns is refused" {
  d=$(users_dir)
  printf 'security { user = root group = root }\n' >"$d/ecelerity.conf"
  chown 4250:4250 "$d/ecelerity.conf"
  chmod 0644 "$d/ecelerity.conf"
  run --separate-stderr "$SETPRIV" --reuid 4250 --regid 4250 --clear-groups --inh-caps +setuid,+setgid \
    --ambient-caps +setuid,+setgid "$SECWRAP" -c "$d/ecelerity.conf" -- touch "$(marker)"
  refused_line "path component $d is owned by uid 4250"
  run --separate-stderr "$SETPRIV" --reuid 4250 --regid 4250 --clear-groups --inh-caps +setuid,+setgid \
    --ambient-caps +setuid,+setgid "$SECWRAP" check "$d/ecelerity.conf"
  assert_equal "$status" 1
}

@test "1. control: the same ambient caller with a root-owned config drops as it says" {
  conf=$(write_conf <<'CONF'
security { user = ecuser group = ecmail }
CONF
)
  chmod 0755 "$(dirname "$conf")"
  run "$SETPRIV" --reuid 4250 --regid 4250 --clear-groups --inh-caps +setuid,+setgid \
    --ambient-caps +setuid,+setgid "$SECWRAP" -c "$conf" -- sh -c 'echo $(id -u) $(id -g)'
  assert_output '4242 4243'
}

# --- 2. the way to a file, not only the file ------------------------------------------------------

@test "2. a user's directory on the config's path: the swap to a symlink at /etc/environment is refused" {
  d=$(users_dir)
  printf 'security { user = ecuser }\n' >"$d/ecelerity.conf"
  chmod 0644 "$d/ecelerity.conf"
  # The user swaps the root-owned file for a symlink to a root-owned file without a security scope.
  as_user 4250 sh -c "rm -f '$d/ecelerity.conf' && ln -s /etc/environment '$d/ecelerity.conf'"
  run --separate-stderr "$SECWRAP" -c "$d/ecelerity.conf" -- touch "$(marker)"
  refused_line "untrusted config path $d/ecelerity.conf: path component $d is owned by uid 4250 with mode 0755"
  [[ $stderr == *"fix: chown root:root '$d' && chmod go-w '$d'"* ]] || fail "$stderr"
  run --separate-stderr "$SECWRAP" check "$d/ecelerity.conf"
  assert_equal "$status" 1
  run --separate-stderr "$SECWRAP" explain -c "$d/ecelerity.conf"
  assert_equal "$status" 125
}

@test "2. a symlink owned by a user, in a root folder, is refused; a root one is followed" {
  conf=$(write_conf <<'CONF'
security { user = ecuser }
CONF
)
  d=$(dirname "$conf")
  ln -s ecelerity.conf "$d/link.conf"
  run "$SECWRAP" -c "$d/link.conf" -- id -u
  assert_success
  assert_output 4242
  ln -s ecelerity.conf "$d/theirs.conf"
  chown -h 4250:4250 "$d/theirs.conf"
  run --separate-stderr "$SECWRAP" -c "$d/theirs.conf" -- touch "$(marker)"
  refused_line "symlink $d/theirs.conf is owned by uid 4250"
}

@test "2. a root symlink whose target lies under a user's folder is refused" {
  u=$(users_dir)
  printf 'security { user = root group = root }\n' >"$u/evil.conf"
  chmod 0644 "$u/evil.conf"
  conf=$(write_conf <<'CONF'
security { user = ecuser }
CONF
)
  ln -sfn "$u/evil.conf" "$conf"
  run --separate-stderr "$SECWRAP" -c "$conf" -- touch "$(marker)"
  refused_line "path component $u is owned by uid 4250"
}

@test "2. an include reached through a user's folder is refused" {
  u=$(users_dir)
  printf 'security { user = root group = root }\n' >"$u/extra.conf"
  chmod 0644 "$u/extra.conf"
  conf=$(write_conf <<CONF
security { user = ecuser }
include "$u/extra.conf"
CONF
)
  run --separate-stderr "$SECWRAP" -c "$conf" -- touch "$(marker)"
  refused_line "path component $u is owned by uid 4250"
}

@test "2. a relative -c walks the working directory's own path" {
  u=$(users_dir)
  printf 'security { user = ecuser }\n' >"$u/ecelerity.conf"
  chmod 0644 "$u/ecelerity.conf"
  cd "$u"
  run --separate-stderr "$SECWRAP" -c ecelerity.conf -- touch "$(marker)"
  refused_line "path component $u is owned by uid 4250"
}

@test "2. a config under /tmp (1777) is refused with the way out" {
  d=$(mktemp -d /tmp/secwrap-boundary.XXXXXX)
  printf 'security { user = ecuser }\n' >"$d/e.conf"
  chmod 0644 "$d/e.conf"
  run --separate-stderr "$SECWRAP" -c "$d/e.conf" -- touch "$(marker)"
  rm -rf "$d"
  refused_line "path component /tmp is owned by root with mode 1777"
  [[ $stderr == *"fix: move it out of the shared folder /tmp"* ]] || fail "$stderr"
}

@test "2. a group-writable config (a COPY from a umask 002 checkout) names COPY --chmod=0644" {
  conf=$(write_conf <<'CONF'
security { user = ecuser }
CONF
)
  chmod 0664 "$conf"
  run --separate-stderr "$SECWRAP" -c "$conf" -- touch "$(marker)"
  refused_line "$conf is owned by root with mode 0664, writable by group on a writable mount"
  [[ $stderr == *"chown root:root '$conf' && chmod 0644 '$conf', or COPY --chmod=0644 in a Dockerfile"* ]] || fail "$stderr"
}

@test "2. --chroot through a user's symlink jail -> / is refused" {
  u=$(users_dir)
  as_user 4250 ln -s / "$u/jail"
  run --separate-stderr "$SECWRAP" -u ecuser --chroot "$u/jail" -- touch "$(marker)"
  refused_line "untrusted chroot $u/jail: path component $u is owned by uid 4250"
  # The same symlink owned by the user inside a root folder is refused for its owner.
  d=$(scratch_dir)
  chmod 0755 "$d"
  ln -s / "$d/jail"
  chown -h 4250:4250 "$d/jail"
  run --separate-stderr "$SECWRAP" -u ecuser --chroot "$d/jail" -- touch "$(marker)"
  refused_line "symlink $d/jail is owned by uid 4250"
}

# The Kubernetes configMap layout: a 0777 root-owned folder, `..data` and the file as symlinks
# into a timestamped folder. Prints the folder.
configmap_dir() {
  local d
  d=$(scratch_dir)
  chmod 0755 "$d"
  mkdir -m 0777 "$d/cm"
  chmod 0777 "$d/cm"
  mkdir -m 0755 "$d/cm/..2026_12_06_09_00_00.123456789"
  printf 'security { user = ecuser group = ecmail }\n' >"$d/cm/..2026_12_06_09_00_00.123456789/ecelerity.conf"
  chmod 0644 "$d/cm/..2026_12_06_09_00_00.123456789/ecelerity.conf"
  ln -s ..2026_12_06_09_00_00.123456789 "$d/cm/..data"
  ln -s ..data/ecelerity.conf "$d/cm/ecelerity.conf"
  mkdir -m 0755 "$d/etc-ecelerity"
  echo "$d"
}

@test "2. a configMap volume mounted read-only is trusted despite its 0777 folder" {
  d=$(configmap_dir)
  run --separate-stderr in_ns "mount --bind '$d/cm' '$d/etc-ecelerity' && mount -o remount,bind,ro '$d/etc-ecelerity' &&
    '$SECWRAP' -c '$d/etc-ecelerity/ecelerity.conf' -- sh -c 'echo \$(id -u) \$(id -g)'"
  assert_success
  assert_output '4242 4243'
}

@test "2. the same configMap layout on a writable mount is refused" {
  d=$(configmap_dir)
  run --separate-stderr in_ns "mount --bind '$d/cm' '$d/etc-ecelerity' &&
    '$SECWRAP' -c '$d/etc-ecelerity/ecelerity.conf' -- touch '$(marker)'"
  refused_line "path component $d/etc-ecelerity is owned by root with mode 0777, writable by group and others on a writable mount"
}

@test "2. a read-only mount does not excuse an owner other than root" {
  d=$(configmap_dir)
  chown 4250 "$d/cm/..2026_12_06_09_00_00.123456789/ecelerity.conf"
  run --separate-stderr in_ns "mount --bind '$d/cm' '$d/etc-ecelerity' && mount -o remount,bind,ro '$d/etc-ecelerity' &&
    '$SECWRAP' -c '$d/etc-ecelerity/ecelerity.conf' -- touch '$(marker)'"
  refused_line "is owned by uid 4250 with mode 0644"
}

# --- 3. Momentum's defaults: a config never keeps root by leaving user out -----------------------

@test "3. a config without a security scope drops to ecuser:ecuser" {
  conf=$(write_conf <<'CONF'
# no security scope at all; a global option secwrap applies (lowering the limit works anywhere)
Server_Max_File_Descriptors = 4096
CONF
)
  run "$SECWRAP" -c "$conf" -- sh -c 'echo $(id -u) $(id -g) $(id -G)'
  assert_success
  assert_output "4242 4242 $(id -G ecuser)"
}

@test "3. a security scope without user drops to ecuser; explain says whose default it is" {
  conf=$(write_conf <<'CONF'
security { capabilities = "cap_net_bind_service+ep" }
CONF
)
  run "$SECWRAP" -c "$conf" -- sh -c 'id -u; grep CapAmb /proc/self/status'
  assert_success
  assert_line --index 0 4242
  assert_line --index 1 --regexp 'CapAmb:[[:space:]]+0000000000000400'
  run "$SECWRAP" explain -c "$conf"
  assert_success
  assert_output --partial "user ecuser: Momentum's default (the security scope sets no user)"
}

@test "3. without ecuser, a config without user is an error naming Momentum's default" {
  conf=$(write_conf <<'CONF'
security { capabilities = "" }
CONF
)
  f=$(scratch_dir)
  grep -v '^ecuser:' /etc/passwd >"$f/passwd"
  chmod 0644 "$f/passwd"
  run --separate-stderr in_ns "mount --bind '$f/passwd' /etc/passwd && '$SECWRAP' -c '$conf' -- touch '$(marker)'"
  refused_line "user ecuser does not exist: it is Momentum's default when the security scope sets no user; create it, or set user = NAME in the security scope of $conf (or -u NAME)"
}

@test "3. running as root takes an explicit user = root, and explain and -v say so" {
  conf=$(write_conf <<'CONF'
security {
  user = root
  group = root
}
CONF
)
  run --separate-stderr "$SECWRAP" -v -c "$conf" -- id -u
  assert_success
  assert_output 0
  [[ $stderr == *"note: the command runs as root (uid 0): user root is set explicitly ($conf:2:"* ]] || fail "$stderr"
  run "$SECWRAP" explain -c "$conf"
  assert_output --partial "the command runs as root (uid 0): user root is set explicitly ($conf:2:"
}

@test "3. flags only (no -c) keep setpriv's behaviour: no user given, the uid stays" {
  run "$SECWRAP" --caps cap_chown+ep -- id -u
  assert_success
  assert_output 0
  a=$(secwrap_status -g ecmail -G '')
  b=$(setpriv_status --regid 4243 --clear-groups)
  assert_equal "$a" "$b"
}

# --- 4. paths keep their bytes ------------------------------------------------------------------

@test "4. a -c path that is not UTF-8 is refused, never read from the U+FFFD file" {
  d=$(scratch_dir)
  printf 'security { user = root group = root }\n' >"$d/"$'\xef\xbf\xbd'".conf"   # the U+FFFD name
  printf 'security { user = ecuser }\n' >"$d/"$'\xe9'".conf"
  chmod 0644 "$d"/*.conf
  run --separate-stderr "$SECWRAP" -c "$d/"$'\xe9'".conf" -- touch "$(marker)"
  refused_line 'is not valid UTF-8'
  run --separate-stderr "$SECWRAP" check "$d/"$'\xe9'".conf"
  assert_equal "$status" 1
  [[ $stderr == *"not valid UTF-8"* ]] || fail "$stderr"
}

@test "4. a --chroot path that is not UTF-8 is refused" {
  d=$(scratch_dir)
  chmod 0755 "$d"
  mkdir -m 0755 "$d/"$'\xe9' "$d/"$'\xef\xbf\xbd'
  run --separate-stderr "$SECWRAP" -u ecuser --chroot "$d/"$'\xe9' -- touch "$(marker)"
  refused_line 'is not valid UTF-8'
}

@test "4. an included folder's entry whose name is not UTF-8 is refused, not swapped" {
  conf=$(write_conf <<'CONF'
security { user = ecuser }
include "conf.d"
CONF
)
  d=$(dirname "$conf")
  mkdir -m 0755 "$d/conf.d"
  printf 'security { group = ecmail }\n' >"$d/conf.d/"$'\xe9'".conf"
  printf 'security { user = root group = root }\n' >"$d/conf.d/"$'\xef\xbf\xbd'".conf"
  chmod 0644 "$d/conf.d/"*
  run --separate-stderr "$SECWRAP" -c "$conf" -- touch "$(marker)"
  refused_line "holds an entry whose name is not valid UTF-8"
}

# --- 5. names that are digits -------------------------------------------------------------------

# with_digit_names SCRIPT: SCRIPT in a namespace whose databases add user 007 (uid 5007) and
# group 007 (gid 5007), besides the fixtures.
with_digit_names() {
  local f
  f=$(scratch_dir)
  cat /etc/passwd >"$f/passwd"
  echo '007:x:5007:5007:digits:/home/007:/bin/sh' >>"$f/passwd"
  cat /etc/group >"$f/group"
  echo '007:x:5007:' >>"$f/group"
  chmod 0644 "$f/passwd" "$f/group"
  in_ns "mount --bind '$f/passwd' /etc/passwd && mount --bind '$f/group' /etc/group && $1"
}

# getent is the odd one out: for an all-digit key it asks for the uid first (`getent passwd 007`
# prints uid 7's entry), so the name-first answer is id's and setpriv's.
@test "5. -u 007 is the user named 007 (uid 5007), as id and setpriv read it" {
  run with_digit_names "id -u 007; '$SETPRIV' --reuid 007 --regid 007 --clear-groups id -u;
    '$SECWRAP' -u 007 -- id -u; '$SECWRAP' -u 007 -g 007 -- id -g; '$SECWRAP' -u 7 -g 7 -- id -u;
    '$SETPRIV' --reuid 007 --regid 007 --clear-groups id -g"
  assert_success
  assert_output "$(printf '5007\n5007\n5007\n5007\n7\n5007')"
}

@test "5. digit names in the config and in supplementary groups too" {
  conf=$(write_conf <<'CONF'
security {
  user = "007"
  group = "007"
  supplemental_groups = ( "007" 4243 )
}
CONF
)
  run with_digit_names "'$SECWRAP' -c '$conf' -- id -u; '$SECWRAP' -c '$conf' -- id -G"
  assert_success
  assert_line --index 0 5007
  assert_line --index 1 '5007 4243'
}

# --- 6. signals the parent ignored or blocked ---------------------------------------------------

# hostile_parent CMD...: exec CMD with every signal 1-64 but KILL and STOP ignored and blocked,
# through the raw system calls (glibc's sigaction refuses 32 and 33, which hyperfine -N leaves
# ignored). perl's syscall() reaches them.
hostile_parent() {
  perl -e '
    my ($act, $mask) = `uname -m` =~ /aarch64/ ? (134, 135) : (13, 14);
    for my $s (1 .. 64) {
      next if $s == 9 || $s == 19;
      my $ign = pack("Q4", 1, 0, 0, 0);   # SIG_IGN, no flags, no restorer, empty mask
      syscall($act, $s, $ign, 0, 8) == 0 or die "rt_sigaction $s: $!";
    }
    my $all = pack("Q", 0xffffffffffffffff);
    syscall($mask, 0, $all, 0, 8) == 0 or die "rt_sigprocmask: $!";
    exec @ARGV or die "exec: $!";' "$@"
}

@test "6. a parent that ignores signal 32 does not abort the run" {
  # control: the parent really leaves 32 and 33 ignored and blocked (bits 31 and 32)
  run hostile_parent awk '/^Sig(Ign|Blk):/ { print $2 }' /proc/self/status
  for v in "${lines[@]}"; do (( (0x$v >> 31 & 3) == 3 )) || fail "signals 32 and 33 not set in $v"; done
  run --separate-stderr hostile_parent "$SECWRAP" -u ecuser -- id -u
  assert_success
  assert_output 4242
}

@test "6. the command starts with SigIgn and SigBlk zero whatever the parent left" {
  run hostile_parent "$SECWRAP" -u ecuser --caps cap_net_bind_service+ep -- grep -E '^Sig(Ign|Blk)' /proc/self/status
  assert_success
  assert_line 'SigIgn:	0000000000000000'
  assert_line 'SigBlk:	0000000000000000'
  # setpriv passes them through: secwrap is deliberately cleaner.
  run hostile_parent "$SETPRIV" --reuid 4242 --regid 4242 --clear-groups grep -E '^SigIgn' /proc/self/status
  refute_output 'SigIgn:	0000000000000000'
}
