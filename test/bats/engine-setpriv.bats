#!/usr/bin/env bats
# The plan matrix: each request run through secwrap and through util-linux setpriv, compared
# field by field in /proc/self/status (Uid Gid Groups CapInh CapPrm CapEff CapBnd CapAmb NoNewPrivs).

load helpers

@test "the issue's example: ecuser/ecuser retaining cap_net_bind_service" {
  out=$(compare_with_setpriv -u ecuser -g ecuser --caps cap_net_bind_service+ep \
    --vs-- --reuid ecuser --regid ecuser --init-groups --inh-caps=-all,+net_bind_service \
    --ambient-caps=-all,+net_bind_service --bounding-set=-all,+net_bind_service)
  assert_equal "$(grep CapAmb <<<"$out")" "CapAmb: 0000000000000400"
  assert_equal "$(grep ^Uid <<<"$out")" "Uid: 4242 4242 4242 4242"
  assert_equal "$(grep ^Groups <<<"$out")" "Groups: 4242 4243 4244"
}

@test "numeric user and group with passwd entries, no capabilities" {
  out=$(compare_with_setpriv -u 4242 -g 4242 --vs-- --reuid 4242 --regid 4242 --init-groups)
  assert_equal "$(grep CapPrm <<<"$out")" "CapPrm: 0000000000000000"
}

@test "user alone takes its passwd primary group and initgroups" {
  out=$(compare_with_setpriv -u ecother --vs-- --reuid ecother --regid 4250 --init-groups)
  assert_equal "$(grep ^Groups <<<"$out")" "Groups: 4244 4250"
}

@test "explicit supplementary list replaces initgroups" {
  compare_with_setpriv -u ecuser -G ecmail,4260 --vs-- --reuid 4242 --regid 4242 --groups 4243,4260
}

@test "empty --groups means no supplementary groups" {
  out=$(compare_with_setpriv -u ecuser -G '' --vs-- --reuid 4242 --regid 4242 --clear-groups)
  assert_equal "$(grep ^Groups <<<"$out")" "Groups:"
}

@test "numeric user without passwd entry, with a group: no supplementary groups" {
  compare_with_setpriv -u 4299 -g 4299 --vs-- --reuid 4299 --regid 4299 --clear-groups
}

@test "the seed's stand-alone example (chroot in the test jail) equals chroot + setpriv" {
  jail=$(make_jail)
  conf=$(write_conf <<CONF
security {
  user = ecuser
  group = ecuser
  capabilities = "cap_net_bind_service+ep"   # libcap cap_from_text syntax
  privileges = "basic net_privaddr"          # Solaris equivalent; not applied on Linux
  chroot = "$jail"
  supplemental_groups = ( ecmail 4243 )
}
CONF
)
  a=$("$SECWRAP" -c "$conf" -- /usr/bin/cat /proc/self/status | status_fields)
  b=$(chroot "$jail" /usr/bin/setpriv --reuid 4242 --regid 4242 --groups 4243 \
    --inh-caps=-all,+net_bind_service --ambient-caps=-all,+net_bind_service \
    --bounding-set=-all,+net_bind_service /usr/bin/cat /proc/self/status | status_fields)
  assert_equal "$a" "$b"
  assert_equal "$(grep ^Groups <<<"$a")" "Groups: 4243"
}

@test "the seed's cluster example minus cap_sys_resource" {
  conf=$(write_conf <<'CONF'
Security {
  user = ecuser
  group = ecuser
  capabilities = "cap_net_admin+ep cap_net_bind_service+ep cap_net_raw+ep"
  privileges = "basic net_privaddr net_rawaccess sys_net_config"
}
CONF
)
  out=$(compare_with_setpriv -c "$conf" --vs-- --reuid 4242 --regid 4242 --init-groups \
    --inh-caps=-all,+net_admin,+net_bind_service,+net_raw \
    --ambient-caps=-all,+net_admin,+net_bind_service,+net_raw \
    --bounding-set=-all,+net_admin,+net_bind_service,+net_raw)
  assert_equal "$(grep CapEff <<<"$out")" "CapEff: 0000000000003400"
}

@test "the seed's full cluster example: cap_sys_resource retained where the bounding set has it" {
  conf=$(write_conf <<'CONF'
Security {
  user = ecuser
  group = ecuser
  capabilities = "cap_net_admin+ep cap_net_bind_service+ep cap_net_raw+ep cap_sys_resource+ep"
}
CONF
)
  bnd=$(awk '/^CapBnd/ {print $2}' /proc/self/status)
  if (( (16#$bnd >> 24) & 1 )); then
    # The real kernels in images/ have the full bounding set.
    out=$(compare_with_setpriv -c "$conf" --vs-- --reuid 4242 --regid 4242 --init-groups \
      --inh-caps=-all,+net_admin,+net_bind_service,+net_raw,+sys_resource \
      --ambient-caps=-all,+net_admin,+net_bind_service,+net_raw,+sys_resource \
      --bounding-set=-all,+net_admin,+net_bind_service,+net_raw,+sys_resource)
    assert_equal "$(grep CapAmb <<<"$out")" "CapAmb: 0000000001003400"
  else
    # This host's bounding set lacks it: secwrap must refuse, naming it.
    run "$SECWRAP" -c "$conf" -- touch "$(marker)"
    assert_equal "$status" 125
    assert_output --partial "cap_sys_resource is not in the current bounding set"
    assert_not_ran
  fi
}

@test "root target with capabilities is limited by the bounding set" {
  out=$(compare_with_setpriv --caps cap_chown,cap_net_bind_service+ep \
    --vs-- --inh-caps=-all,+chown,+net_bind_service --ambient-caps=-all,+chown,+net_bind_service \
    --bounding-set=-all,+chown,+net_bind_service)
  assert_equal "$(grep CapEff <<<"$out")" "CapEff: 0000000000000401"
  assert_equal "$(grep ^Uid <<<"$out")" "Uid: 0 0 0 0"
}

@test "root target by user 0, no capabilities option: full root" {
  compare_with_setpriv -u 0 --vs-- --reuid 0 --regid 0 --init-groups
}

@test "--chroot flag with a user equals chroot + setpriv" {
  jail=$(make_jail)
  a=$("$SECWRAP" --chroot "$jail" -u ecuser -- /usr/bin/cat /proc/self/status | status_fields)
  b=$(chroot "$jail" /usr/bin/setpriv --reuid 4242 --regid 4242 --init-groups /usr/bin/cat /proc/self/status | status_fields)
  assert_equal "$a" "$b"
}

@test "flags only: user, group, groups, caps and no_new_privs" {
  out=$(compare_with_setpriv -u ecother -g ecadm -G ecuser,ecmail --caps cap_kill+ep --no-new-privs \
    --vs-- --reuid 4250 --regid 4244 --groups 4242,4243 --inh-caps=-all,+kill --ambient-caps=-all,+kill \
    --bounding-set=-all,+kill --no-new-privs)
  assert_equal "$(grep NoNewPrivs <<<"$out")" "NoNewPrivs: 1"
}

@test "include override: a Security stanza in an included file wins" {
  d=$(scratch_dir)
  cat >"$d/ecelerity.conf" <<'CONF'
security {
  user = ecother
  capabilities = "cap_net_raw+ep"
}
include "ecelerity-cluster.conf"
CONF
  cat >"$d/ecelerity-cluster.conf" <<'CONF'
Security {
  User = ecuser
  Capabilities = "cap_net_bind_service+ep"
}
CONF
  chmod 0644 "$d"/*.conf
  compare_with_setpriv -c "$d/ecelerity.conf" --vs-- --reuid 4242 --regid 4242 --init-groups \
    --inh-caps=-all,+net_bind_service --ambient-caps=-all,+net_bind_service --bounding-set=-all,+net_bind_service
}

@test "flags override the file option by option" {
  conf=$(write_conf <<'CONF'
security { user = ecuser  group = ecuser  capabilities = "cap_net_raw+ep" }
CONF
)
  compare_with_setpriv -c "$conf" -g ecmail --caps cap_net_bind_service+ep --vs-- --reuid 4242 --regid 4243 --init-groups \
    --inh-caps=-all,+net_bind_service --ambient-caps=-all,+net_bind_service --bounding-set=-all,+net_bind_service
}

@test "inheritable-only capabilities: in the inheritable and bounding sets, not retained" {
  out=$(compare_with_setpriv -u ecuser --caps 'cap_net_bind_service+ep cap_kill+i' \
    --vs-- --reuid 4242 --regid 4242 --init-groups --inh-caps=-all,+kill,+net_bind_service \
    --ambient-caps=-all,+net_bind_service --bounding-set=-all,+kill,+net_bind_service)
  assert_equal "$(grep CapInh <<<"$out")" "CapInh: 0000000000000420"
}

@test "empty capability text: nothing retained, bounding set empty" {
  out=$(compare_with_setpriv -u ecuser --caps '' --vs-- --reuid 4242 --regid 4242 --init-groups \
    --inh-caps=-all --ambient-caps=-all --bounding-set=-all)
  assert_equal "$(grep CapBnd <<<"$out")" "CapBnd: 0000000000000000"
}

@test "libcap text forms: numbers, all=, chained actions" {
  compare_with_setpriv -u ecuser --caps 'all=ep cap_net_raw,10-ep cap_kill-p 0x5+p 7-eip all-eip 10+eip' \
    --vs-- --reuid 4242 --regid 4242 --init-groups --inh-caps=-all,+net_bind_service \
    --ambient-caps=-all,+net_bind_service --bounding-set=-all,+net_bind_service
}
