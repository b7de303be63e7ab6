#!/usr/bin/env bats
# setpriv's remaining options and Momentum's file-descriptor limit: --securebits, --pdeathsig
# and the three group modes compared with util-linux setpriv field by field; --rlimit,
# server_max_file_descriptors, --umask, Landlock and the LSM labels by their behaviour. Where a
# kernel feature is missing (Landlock, AppArmor, SELinux), the refusal is what is asserted.

load helpers

# PR_GET_PDEATHSIG (prctl 2) from inside the command: the prctl syscall is 157 on x86-64, 167 on arm64.
PRCTL_NR=$([[ $MACHINE == aarch64 ]] && echo 167 || echo 157)
get_pdeathsig=(perl -e "\$s = pack('i', 0); syscall($PRCTL_NR, 2, \$s) == 0 or die \"prctl: \$!\"; print unpack('i', \$s), \"\\n\"")

# capsh --print's Securebits line of the command that follows.
securebits_of() { set -o pipefail; "$@" /usr/sbin/capsh --print | grep '^Securebits'; }

has_cap() { (( 16#$(awk '/^CapEff:/ {print $2}' /proc/self/status) & (1 << $1) )); }
CAP_SYS_RESOURCE=24

# The Landlock ABI the kernel offers (landlock_create_ruleset(NULL, 0, VERSION)), or 0.
landlock_abi() { perl -e 'my $r = syscall(444, 0, 0, 1); print $r > 0 ? $r : 0, "\n"'; }

# --- securebits ------------------------------------------------------------------------------

@test "securebits: +noroot,+noroot_locked for ecuser equals setpriv (capsh and status fields)" {
  a=$(securebits_of "$SECWRAP" -u ecuser --securebits +noroot,+noroot_locked --)
  b=$(securebits_of "$SETPRIV" --reuid ecuser --regid ecuser --init-groups --securebits +noroot,+noroot_locked)
  assert_equal "$a" "$b"
  assert_equal "$a" "Securebits: 03/0x3/2'b11 (no-new-privs=0)"
  compare_with_setpriv -u ecuser --securebits +noroot,+noroot_locked \
    --vs-- --reuid ecuser --regid ecuser --init-groups --securebits +noroot,+noroot_locked
}

@test "securebits: every settable bit, with retained capabilities, equals setpriv" {
  bits=+noroot,+noroot_locked,+no_setuid_fixup,+no_setuid_fixup_locked,+keep_caps_locked
  a=$(securebits_of "$SECWRAP" -u ecuser --caps cap_net_bind_service+ep --securebits "$bits" --)
  b=$(securebits_of "$SETPRIV" --reuid ecuser --regid ecuser --init-groups --securebits "$bits" \
    --inh-caps=-all,+net_bind_service --ambient-caps=-all,+net_bind_service --bounding-set=-all,+net_bind_service)
  assert_equal "$a" "$b"
  [[ $a == "Securebits: 057/0x2f/"* ]] || fail "$a"
  out=$(compare_with_setpriv -u ecuser --caps cap_net_bind_service+ep --securebits "$bits" \
    --vs-- --reuid ecuser --regid ecuser --init-groups --securebits "$bits" \
    --inh-caps=-all,+net_bind_service --ambient-caps=-all,+net_bind_service --bounding-set=-all,+net_bind_service)
  assert_equal "$(grep CapAmb <<<"$out")" "CapAmb: 0000000000000400"
}

@test "securebits: root stays root with +noroot, as with setpriv" {
  a=$(securebits_of "$SECWRAP" --securebits +noroot --)
  b=$(securebits_of "$SETPRIV" --securebits +noroot)
  assert_equal "$a" "$b"
  compare_with_setpriv --securebits +noroot --vs-- --securebits +noroot
}

@test "securebits: setpriv's refusals (keep_caps, +all, unknown bit) before anything runs" {
  for bits in +keep_caps +all +bogus noroot; do
    run "$SECWRAP" -u ecuser --securebits "$bits" -- touch "$(marker)"
    assert_equal "$status" 125
    assert_output --partial 'securebit'
    assert_not_ran
  done
}

# --- pdeathsig -------------------------------------------------------------------------------

@test "pdeathsig: a signal name survives the uid change, as with setpriv" {
  a=$("$SECWRAP" -u ecuser --pdeathsig SIGUSR1 -- "${get_pdeathsig[@]}")
  b=$("$SETPRIV" --reuid ecuser --regid ecuser --init-groups --pdeathsig SIGUSR1 "${get_pdeathsig[@]}")
  assert_equal "$a" "$b"
  assert_equal "$a" 10
  assert_equal "$("$SECWRAP" -u ecuser --pdeathsig term -- "${get_pdeathsig[@]}")" 15
}

@test "pdeathsig: keep re-sets the caller's signal after the drop; clear clears it; as setpriv" {
  a=$("$SETPRIV" --pdeathsig SIGUSR2 "$SECWRAP" -u ecuser --pdeathsig keep -- "${get_pdeathsig[@]}")
  b=$("$SETPRIV" --pdeathsig SIGUSR2 "$SETPRIV" --reuid ecuser --regid ecuser --init-groups --pdeathsig keep "${get_pdeathsig[@]}")
  assert_equal "$a" "$b"
  assert_equal "$a" 12
  a=$("$SETPRIV" --pdeathsig SIGUSR2 "$SECWRAP" --pdeathsig clear -- "${get_pdeathsig[@]}")
  b=$("$SETPRIV" --pdeathsig SIGUSR2 "$SETPRIV" --pdeathsig clear "${get_pdeathsig[@]}")
  assert_equal "$a" "$b"
  assert_equal "$a" 0
  # without --pdeathsig the uid change clears it (kernel rule), with both tools
  assert_equal "$("$SETPRIV" --pdeathsig SIGUSR2 "$SECWRAP" -u ecuser -- "${get_pdeathsig[@]}")" 0
}

@test "pdeathsig: an unknown signal is refused" {
  run "$SECWRAP" --pdeathsig SIGNOPE -- touch "$(marker)"
  assert_equal "$status" 125
  assert_output --partial 'unknown signal'
  assert_not_ran
}

# --- group modes -----------------------------------------------------------------------------

@test "groups: --keep-groups keeps the caller's groups, as setpriv (id -G and status fields)" {
  a=$("$SETPRIV" --groups 4243,4260 "$SECWRAP" -u ecuser -g ecuser --keep-groups -- id -G)
  b=$("$SETPRIV" --groups 4243,4260 "$SETPRIV" --reuid ecuser --regid ecuser --keep-groups id -G)
  assert_equal "$a" "$b"
  assert_equal "$a" "4242 4243 4260"
  a=$("$SETPRIV" --groups 4243,4260 "$SECWRAP" -u ecuser --keep-groups -- cat /proc/self/status | status_fields)
  b=$("$SETPRIV" --groups 4243,4260 "$SETPRIV" --reuid ecuser --regid ecuser --keep-groups cat /proc/self/status | status_fields)
  assert_equal "$a" "$b"
}

@test "groups: --clear-groups and --init-groups equal setpriv's (id -G and status fields)" {
  assert_equal "$("$SECWRAP" -u ecuser --clear-groups -- id -G)" "$("$SETPRIV" --reuid ecuser --regid ecuser --clear-groups id -G)"
  assert_equal "$("$SECWRAP" -u ecuser --clear-groups -- id -G)" "4242"
  assert_equal "$("$SECWRAP" -u ecuser --init-groups -- id -G)" "$("$SETPRIV" --reuid ecuser --regid ecuser --init-groups id -G)"
  assert_equal "$("$SECWRAP" -u ecuser --init-groups -- id -G)" "4242 4243 4244"
  compare_with_setpriv -u ecuser --clear-groups --vs-- --reuid ecuser --regid ecuser --clear-groups
  compare_with_setpriv -u ecother --init-groups --vs-- --reuid ecother --regid ecother --init-groups
}

@test "groups: the modes conflict with each other and with a list, refused before any side effect" {
  conf=$(write_conf <<'CONF'
security {
  user = ecuser
  supplemental_groups = ( ecmail )
}
CONF
)
  for args in "--keep-groups --clear-groups" "--init-groups -G ecmail" "-c $conf --clear-groups" "--init-groups"; do
    # shellcheck disable=SC2086
    run "$SECWRAP" $args -- touch "$(marker)"
    assert_equal "$status" 125
    assert_output --regexp 'conflict|needs a user'
    assert_not_ran
  done
}

# --- limits ----------------------------------------------------------------------------------

@test "rlimit: --rlimit sets soft and hard (ulimit -Sn/-Hn in the command), repeatable" {
  run "$SECWRAP" -u ecuser --rlimit nofile=1024:4096 --rlimit core=0 -- sh -c 'ulimit -Sn; ulimit -Hn; ulimit -Sc; ulimit -Hc'
  assert_success
  assert_equal "$output" $'1024\n4096\n0\n0'
  run "$SECWRAP" --rlimit nofile=2048 -- sh -c 'ulimit -Sn; ulimit -Hn'
  assert_equal "$output" $'2048\n2048'
  run "$SECWRAP" --rlimit stack=unlimited:unlimited -- sh -c 'ulimit -Ss'
  if has_cap $CAP_SYS_RESOURCE || [[ $(ulimit -Hs) == unlimited ]]; then assert_output unlimited; else assert_equal "$status" 125; fi
}

@test "rlimit: raising a hard limit needs CAP_SYS_RESOURCE; above fs.nr_open is refused" {
  hard=$(ulimit -Hn)
  want=$((hard + 1000))
  # The marker tells a refusal from a run; as ecuser the touch itself may be refused (the
  # test's folder is root's), which is not what is tested.
  run "$SECWRAP" -u ecuser --rlimit "nofile=$want" -- sh -c 'ulimit -Hn; touch '"$(marker)"' 2>/dev/null || true'
  if has_cap $CAP_SYS_RESOURCE; then
    assert_success
    assert_output "$want"
  else
    assert_equal "$status" 125
    assert_output --partial "CAP_SYS_RESOURCE"
    assert_output --partial "nofile=$want:$want"
    assert_output --partial "current $hard"
    assert_not_ran
  fi
  nr=$(cat /proc/sys/fs/nr_open)
  run "$SECWRAP" --rlimit "nofile=$((nr + 1))" -- touch "$(marker)"
  assert_equal "$status" 125
  assert_output --partial "$((nr + 1)) is above the kernel's fs.nr_open $nr"
  assert_not_ran
  run "$SECWRAP" --rlimit bogus=1 -- true
  assert_equal "$status" 125
}

@test "server_max_file_descriptors sets soft = hard before the drop; explain maps it to --ulimit" {
  conf=$(write_conf <<'CONF'
Server_Max_File_Descriptors = 4096
security {
  user = ecuser
}
CONF
)
  run "$SECWRAP" -c "$conf" -- sh -c 'id -u; ulimit -Sn; ulimit -Hn'
  assert_success
  assert_equal "$output" $'4242\n4096\n4096'
  run "$SECWRAP" explain -c "$conf" --format docker
  assert_output --partial '--ulimit nofile=4096:4096'
  run "$SECWRAP" explain -c "$conf" --format k8s
  assert_output --partial '# Kubernetes has no per-container ulimit'
  run "$SECWRAP" explain -c "$conf" --json
  assert_output --partial '"source": "server_max_file_descriptors, '
}

@test "server_max_file_descriptors: a value that is not a whole number is a config error" {
  conf=$(write_conf <<'CONF'
server_max_file_descriptors = 80k
CONF
)
  run "$SECWRAP" -c "$conf" -- touch "$(marker)"
  assert_equal "$status" 125
  assert_output --partial 'server_max_file_descriptors must be a whole number'
  assert_not_ran
  run "$SECWRAP" check "$conf"
  assert_equal "$status" 1
}

@test "Momentum's default: a config without the option gets min(3000000, fs.nr_open), or the current hard limit without CAP_SYS_RESOURCE" {
  conf=$(write_conf <<'CONF'
security {
  user = ecuser
}
CONF
)
  nr=$(cat /proc/sys/fs/nr_open)
  if has_cap $CAP_SYS_RESOURCE; then want=$(( nr < 3000000 ? nr : 3000000 )); else want=$(ulimit -Hn); fi
  run "$SECWRAP" -c "$conf" -- sh -c 'ulimit -Sn; ulimit -Hn'
  assert_success
  assert_equal "$output" "$want"$'\n'"$want"
  run "$SECWRAP" explain -c "$conf"
  assert_output --partial "nofile $want: the config sets no server_max_file_descriptors"
  assert_output --partial "Momentum's default 3000000"
  # flags alone: no default limit (setpriv's behaviour), no rlimits step
  run "$SECWRAP" explain -u ecuser
  refute_output --partial 'rlimits'
}

# --- umask -----------------------------------------------------------------------------------

@test "umask: --umask sets the command's umask (umask, and a new file's mode)" {
  d=$(scratch_dir)
  chmod 0777 "$d"
  run "$SECWRAP" -u ecuser --umask 027 -- sh -c "umask; touch $d/f; stat -c %a $d/f"
  assert_success
  assert_equal "$output" $'0027\n640'
  assert_equal "$("$SECWRAP" --umask 0 -- sh -c umask)" "0000"
  for bad in 8 0o22 12345 ''; do
    run "$SECWRAP" --umask "$bad" -- touch "$(marker)"
    assert_equal "$status" 125
    assert_not_ran
  done
}

# --- Landlock --------------------------------------------------------------------------------

@test "landlock: read+execute under /usr runs /usr/bin/head and is refused /etc/hostname (or refused where the kernel has no Landlock)" {
  target=/etc/hostname; [[ -e $target ]] || target=/etc/passwd
  args=(-u ecuser --landlock-access fs --landlock-rule path-beneath:execute,read-file,read-dir:/usr)
  if (( $(landlock_abi) > 0 )); then
    run "$SECWRAP" "${args[@]}" -- /usr/bin/head -n1 /usr/lib/os-release
    assert_success
    assert_output --partial 'NAME='
    run "$SECWRAP" "${args[@]}" -- /usr/bin/head -n1 "$target"
    assert_equal "$status" 1
    assert_output --partial 'Permission denied'
    # control: without Landlock the same command reads it
    run "$SECWRAP" -u ecuser -- /usr/bin/head -n1 "$target"
    assert_success
    # Landlock sets no_new_privs, as setpriv does, and the verification knows it
    run "$SECWRAP" "${args[@]}" --landlock-rule path-beneath:read-file,read-dir:/proc -- /usr/bin/grep NoNewPrivs /proc/self/status
    assert_output --regexp 'NoNewPrivs:[[:space:]]+1'
  else
    run "$SECWRAP" "${args[@]}" -- touch "$(marker)"
    assert_equal "$status" 125
    assert_output --partial 'refusing to run the command unconfined'
    assert_not_ran
  fi
}

@test "landlock: a rule without --landlock-access and an unknown right are refused" {
  run "$SECWRAP" --landlock-rule path-beneath:read-file:/usr -- touch "$(marker)"
  assert_equal "$status" 125
  assert_output --partial 'needs --landlock-access'
  run "$SECWRAP" --landlock-access fs:read-everything -- touch "$(marker)"
  assert_equal "$status" 125
  assert_output --partial 'unknown Landlock fs access right'
  assert_not_ran
}

# --- LSM labels ------------------------------------------------------------------------------

apparmor_on() { [[ -d /sys/kernel/security/apparmor ]] || [[ $(cat /sys/module/apparmor/parameters/enabled 2>/dev/null) == Y* ]]; }

@test "apparmor: the profile is the command's after exec, as with setpriv (or refused without AppArmor)" {
  if ! apparmor_on; then
    run "$SECWRAP" -u ecuser --apparmor-profile secwrap-test -- touch "$(marker)"
    assert_equal "$status" 125
    assert_output --partial 'AppArmor is not running'
    assert_not_ran
    return
  fi
  # AppArmor runs: a profile that is not loaded is refused by the kernel, before the command runs
  run "$SECWRAP" -u ecuser --apparmor-profile secwrap-no-such-profile -- touch "$(marker)"
  assert_equal "$status" 125
  assert_output --partial 'secwrap-no-such-profile'
  assert_not_ran
  if ! command -v apparmor_parser >/dev/null; then
    echo "# apparmor_parser is not installed: only the refusal of an unloaded profile is checked" >&3
    return
  fi
  mountpoint -q /sys/kernel/security || mount -t securityfs securityfs /sys/kernel/security
  prof=$(scratch_dir)/secwrap-parity
  printf 'profile secwrap-parity flags=(complain) {\n}\n' >"$prof"
  apparmor_parser -r "$prof"
  a=$("$SECWRAP" -u ecuser --apparmor-profile secwrap-parity -- cat /proc/self/attr/current)
  b=$("$SETPRIV" --reuid ecuser --regid ecuser --init-groups --apparmor-profile secwrap-parity cat /proc/self/attr/current)
  apparmor_parser -R "$prof"
  assert_equal "$a" "$b"
  assert_equal "$a" "secwrap-parity (complain)"
}

@test "selinux: refused with a clear message where SELinux is not running" {
  if [[ -e /sys/fs/selinux ]]; then
    run "$SECWRAP" --selinux-label 'system_u:system_r:no_such_t:s0' -- touch "$(marker)"
    assert_equal "$status" 125
  else
    run "$SECWRAP" --selinux-label 'system_u:system_r:unconfined_t:s0' -- touch "$(marker)"
    assert_equal "$status" 125
    assert_output --partial 'SELinux is not running'
  fi
  assert_not_ran
  run "$SECWRAP" explain --apparmor-profile p --selinux-label l
  assert_equal "$status" 125
  assert_output --partial 'conflict'
}

# --- explain -----------------------------------------------------------------------------------

@test "explain: every new setting in the text, the JSON and the container formats" {
  args=(-u ecuser --rlimit nofile=1024 --umask 027 --securebits +noroot --pdeathsig SIGTERM --clear-groups)
  run "$SECWRAP" explain "${args[@]}"
  assert_success
  for s in 'limit         nofile 1024:1024' 'umask         0027' 'securebits    noroot,keep_caps' 'pdeathsig     SIGTERM' 'groups        none (clear)' 'rlimits: setrlimit' 'securebits: capset' 'pdeathsig: prctl(PR_SET_PDEATHSIG, SIGTERM)'; do
    assert_output --partial "$s"
  done
  run "$SECWRAP" explain "${args[@]}" --json
  assert_output --partial '"umask": "0027"'
  assert_output --partial '"names": "noroot,keep_caps"'
  run "$SECWRAP" explain "${args[@]}" --format docker
  assert_line --index 0 --partial '--ulimit nofile=1024:1024'
  assert_output --partial 'note: no docker run flag sets the umask'
  # the steps' order: limits and umask before the drop, securebits after the uid change, pdeathsig after the capabilities
  order=$("$SECWRAP" explain "${args[@]}" --json | grep '"op"' | sed -E 's/.*"op": "([^"]+)".*/\1/' | grep -vx groups | paste -sd' ')
  assert_equal "$order" "close-fds rlimits umask keep-caps gid uid securebits caps pdeathsig verify signals stdio env exec"
}
