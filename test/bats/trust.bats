#!/usr/bin/env bats
# Trust: as root, secwrap obeys only root-owned config files and folders that nobody else can
# write, checked on the opened descriptor, and chroots only into a jail whose every path
# component is a root-owned directory not writable by group or others (sshd's rule).

load helpers

good_conf() {
  write_conf <<'CONF'
security { user = ecuser  capabilities = "cap_net_bind_service+ep" }
CONF
}

# refused MESSAGE_PART SECWRAP_ARGS...: exit 125, the command not run; check and explain agree.
refused() {
  local part=$1
  shift
  run --separate-stderr "$SECWRAP" "$@" -- touch "$(marker)"
  assert_equal "$status" 125
  [[ $stderr == *"$part"* ]] || fail "stderr lacks '$part': $stderr"
  assert_not_ran
  run --separate-stderr "$SECWRAP" explain "$@"
  assert_equal "$status" 125
  [[ $stderr == *"$part"* ]] || fail "explain: stderr lacks '$part': $stderr"
}

@test "control: a root-owned 0644 config is accepted" {
  conf=$(good_conf)
  run "$SECWRAP" -c "$conf" -- id -u
  assert_success
  assert_output 4242
}

@test "config mode 0666 is refused, naming file, owner and mode" {
  conf=$(good_conf)
  chmod 0666 "$conf"
  refused "untrusted config file $conf: $conf is owned by root with mode 0666" -c "$conf"
  run --separate-stderr "$SECWRAP" check "$conf"
  assert_equal "$status" 1
  [[ $stderr == *"mode 0666"* ]] || fail "$stderr"
}

@test "config mode 0620 (group-writable) is refused" {
  conf=$(good_conf)
  chmod 0620 "$conf"
  refused "mode 0620" -c "$conf"
}

@test "config owned by another user is refused" {
  conf=$(good_conf)
  chown 4250 "$conf"
  refused "$conf is owned by uid 4250 with mode 0644" -c "$conf"
}

@test "an included file writable by others is refused" {
  conf=$(good_conf)
  d=$(dirname "$conf")
  echo 'include "extra.conf"' >>"$conf"
  echo 'security { group = ecmail }' >"$d/extra.conf"
  chmod 0646 "$d/extra.conf"
  refused "untrusted config file $d/extra.conf" -c "$conf"
  chmod 0644 "$d/extra.conf"
  run "$SECWRAP" -c "$conf" -- id -g
  assert_output 4243
}

@test "an included folder writable by others is refused" {
  conf=$(good_conf)
  d=$(dirname "$conf")
  mkdir "$d/conf.d"
  echo 'security { group = ecmail }' >"$d/conf.d/10-group.conf"
  echo 'include "conf.d"' >>"$conf"
  chmod 0777 "$d/conf.d"
  refused "untrusted config folder $d/conf.d" -c "$conf"
  chmod 0755 "$d/conf.d"
  run "$SECWRAP" -c "$conf" -- id -g
  assert_output 4243
}

@test "a symlinked include pointing at a user-owned file is refused (checked on the open file)" {
  conf=$(good_conf)
  d=$(dirname "$conf")
  u=$(scratch_dir)
  echo 'security { user = root }' >"$u/evil.conf"
  chown 4250 "$u/evil.conf"
  chmod 0644 "$u/evil.conf"
  ln -s "$u/evil.conf" "$d/extra.conf"
  echo 'include "extra.conf"' >>"$conf"
  refused "owned by uid 4250" -c "$conf"
}

@test "a jail owned by a user is refused" {
  jail=$(make_jail)
  chown 4242 "$jail"
  refused "untrusted chroot $jail: $jail is owned by uid 4242" -u ecuser --chroot "$jail"
}

@test "a jail under a world-writable directory is refused" {
  top=$(scratch_dir)
  chmod 1777 "$top"
  mkdir -m 0755 "$top/jail"
  refused "path component $top is" -u ecuser --chroot "$top/jail"
}

@test "a jail reached through a symlink is checked at its real path" {
  top=$(scratch_dir)
  chmod 0777 "$top"
  mkdir -m 0755 "$top/jail"
  d=$(scratch_dir)
  chmod 0755 "$d"
  ln -s "$top/jail" "$d/link"
  refused "path component $top is" -u ecuser --chroot "$d/link"
}

@test "the chroot option in a config is checked the same way, by check too" {
  top=$(scratch_dir)
  chmod 0777 "$top"
  mkdir -m 0755 "$top/jail"
  conf=$(write_conf <<CONF
security { user = ecuser chroot = "$top/jail" }
CONF
)
  refused "path component $top is" -c "$conf"
  run --separate-stderr "$SECWRAP" check --json "$conf"
  assert_equal "$status" 1
  [[ $output == *'"valid":false'* ]] || fail "$output"
  [[ $output == *"path component $top"* ]] || fail "$output"
}

@test "control: a correctly owned jail is accepted" {
  jail=$(make_jail)
  run "$SECWRAP" -u ecuser --chroot "$jail" -- /usr/bin/id -u
  assert_success
  assert_output 4242
}

@test "as a non-root user, ownership is not enforced (nothing runs as root)" {
  conf=$(write_conf <<'CONF'
security { capabilities = "" }
CONF
)
  chown 4250 "$conf"
  chmod 0755 "$(dirname "$conf")"
  run "$SETPRIV" --reuid 4250 --regid 4250 --clear-groups "$SECWRAP" check "$conf"
  assert_success
}
