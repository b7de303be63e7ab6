#!/usr/bin/env bats
# The command line: check, explain, caps, help, version, completion, and their exit codes.

load helpers

seed_conf() {
  write_conf <<'CONF'
security {
  user = ecuser
  group = ecuser
  capabilities = "cap_net_bind_service+ep"   # libcap cap_from_text syntax
  privileges = "basic net_privaddr"          # Solaris equivalent; not applied on Linux
  supplemental_groups = ( ecmail 4243 )
}
CONF
}

@test "check: a valid file exits 0, prints nothing without --json" {
  conf=$(seed_conf)
  run --separate-stderr "$SECWRAP" check "$conf"
  assert_success
  assert_output ''
  run "$SECWRAP" check -c "$conf"
  assert_success
}

@test "check --json: the effective scope, strings and an array, with sources" {
  conf=$(seed_conf)
  run --separate-stderr "$SECWRAP" check --json "$conf"
  assert_success
  json=$output
  run node -e '
    const j = JSON.parse(process.argv[1]);
    const want = { user: "ecuser", group: "ecuser", capabilities: "cap_net_bind_service+ep", privileges: "basic net_privaddr", supplemental_groups: ["ecmail", "4243"] };
    if (JSON.stringify(j.security) !== JSON.stringify(Object.fromEntries(Object.keys(j.security).map(k => [k, want[k]])))) throw new Error("security " + JSON.stringify(j.security));
    if (Object.keys(j.security).sort().join() !== Object.keys(want).sort().join()) throw new Error("keys");
    if (j.sources.user !== process.argv[2] + ":2") throw new Error("sources " + JSON.stringify(j.sources));
    if (j.sources.supplemental_groups !== process.argv[2] + ":6") throw new Error("sources " + JSON.stringify(j.sources));
  ' "$json" "$conf"
  assert_success
}

@test "check: invalid file exits 1 with FILE:LINE:COL" {
  conf=$(write_conf <<'CONF'
security {
  user = ( a b )
}
CONF
)
  run --separate-stderr "$SECWRAP" check "$conf"
  assert_equal "$status" 1
  [[ $stderr == *"$conf:2:"* ]] || fail "$stderr"
}

@test "check: an unknown capability is invalid, at the option's position" {
  conf=$(write_conf <<'CONF'
security {
  user = ecuser
  capabilities = "cap_net_bind_servic+ep"
}
CONF
)
  run --separate-stderr "$SECWRAP" check "$conf"
  assert_equal "$status" 1
  [[ $stderr == *"$conf:3:"*"did you mean \"cap_net_bind_service\""* ]] || fail "$stderr"
}

@test "check: an unknown Solaris privilege is invalid" {
  conf=$(write_conf <<'CONF'
security { privileges = "basic net_privadr" }
CONF
)
  run --separate-stderr "$SECWRAP" check "$conf"
  assert_equal "$status" 1
  [[ $stderr == *"net_privadr"* ]] || fail "$stderr"
}

@test "check --syntax-only: includes not followed, no scope validation" {
  d=$(scratch_dir)
  printf 'security { colour = blue }\ninclude "missing.conf"\n' >"$d/a.conf"
  chmod 0644 "$d/a.conf"
  run "$SECWRAP" check --syntax-only "$d/a.conf"
  assert_success
  run --separate-stderr "$SECWRAP" check "$d/a.conf"
  assert_equal "$status" 1
}

@test "check: usage errors exit 2" {
  run --separate-stderr "$SECWRAP" check
  assert_equal "$status" 2
  run --separate-stderr "$SECWRAP" check --bogus-flag x.conf
  assert_equal "$status" 2
}

@test "check: a missing file exits 1" {
  run --separate-stderr "$SECWRAP" check /nonexistent.conf
  assert_equal "$status" 1
}

@test "explain: the plan as text, touching nothing" {
  conf=$(seed_conf)
  run --separate-stderr "$SECWRAP" explain -c "$conf" -- /usr/sbin/ecelerity
  assert_success
  assert_line --partial 'user          4242(ecuser)'
  assert_line --partial 'groups        4243(ecmail) (config)'
  assert_line --partial 'permitted, effective, ambient: cap_net_bind_service'
  assert_line --partial 'Solaris-only and not applied on Linux; its Linux reading: cap_net_bind_service'
  assert_line --regexp '^ +[0-9]+\. uid: setresuid\(4242, 4242, 4242\)'
  # explain changed nothing: we are still root with the full set.
  assert_equal "$(id -u)" 0
}

@test "explain --json: the plan object" {
  conf=$(seed_conf)
  run --separate-stderr "$SECWRAP" explain --json -c "$conf" -- true
  assert_success
  run node -e '
    const p = JSON.parse(process.argv[1]);
    const ok = p.user.uid === 4242 && p.group.gid === 4242 && p.expect.CapAmb === "0000000000000400" &&
      p.expect.CapBnd === "0000000000000400" && p.steps.some(s => s.op === "ambient") && p.notes.length > 0 &&
      p.command[0] === "true";
    if (!ok) throw new Error(JSON.stringify(p));' "$output"
  assert_success
}

@test "explain --format docker: the flags the container needs" {
  conf=$(seed_conf)
  run "$SECWRAP" explain --format docker -c "$conf"
  assert_success
  # a config run plans Momentum's descriptor limit (test/bats/parity.bats checks its value)
  assert_output --regexp '^--cap-drop ALL --cap-add SETGID --cap-add SETUID --cap-add SETPCAP --cap-add NET_BIND_SERVICE --ulimit nofile=([0-9]+):\1$'
  run "$SECWRAP" explain --format docker -u ecuser
  assert_output '--cap-drop ALL --cap-add SETGID --cap-add SETUID'
  run "$SECWRAP" explain --format docker -u ecuser --chroot /
  assert_output '--cap-drop ALL --cap-add SETGID --cap-add SETUID --cap-add SYS_CHROOT'
}

@test "explain --format k8s: a securityContext" {
  conf=$(seed_conf)
  run "$SECWRAP" explain --format k8s -c "$conf"
  assert_success
  assert_line 'securityContext:'
  assert_line '  allowPrivilegeEscalation: false'
  assert_line '      - NET_BIND_SERVICE'
  assert_line '      - SETPCAP'
}

@test "explain notes a terminal on stdin without --new-session" {
  run script -qec "$SECWRAP explain -u ecuser" /dev/null
  assert_output --partial 'TIOCSTI'
  run script -qec "$SECWRAP explain --new-session -u ecuser" /dev/null
  refute_output --partial 'TIOCSTI'
}

@test "explain fails like the run would (125)" {
  run --separate-stderr "$SECWRAP" explain -u nosuchuser
  assert_equal "$status" 125
}

@test "caps --json: one object per text, masks as /proc prints them" {
  run "$SECWRAP" caps --json cap_net_bind_service+ep 'cap_net_bind_service, cap_net_raw+ep' '=ep'
  assert_equal "$status" 1
  assert_line --index 0 '{"text":"cap_net_bind_service+ep","effective":"0000000000000400","inheritable":"0000000000000000","permitted":"0000000000000400"}'
  [[ ${lines[1]} == '{"text":"cap_net_bind_service, cap_net_raw+ep","error":'* ]] || fail "${lines[1]}"
  last=$(cat /proc/sys/kernel/cap_last_cap)
  all=$(printf '%016x' $(( (1 << (last + 1)) - 1 )))
  assert_line --index 2 "{\"text\":\"=ep\",\"effective\":\"$all\",\"inheritable\":\"0000000000000000\",\"permitted\":\"$all\"}"
}

@test "caps: text output and exit 0 when all valid" {
  run "$SECWRAP" caps -- cap_chown=ep 'cap_chown=ep cap_chown-p'
  assert_success
  assert_equal "${#lines[@]}" 2
  assert_line --index 0 --partial 'cap_chown=ep'
}

@test "caps: hundreds of texts in one call, in order" {
  mapfile -t texts < <(for i in $(seq 0 399); do echo "$((i % 41))+p"; done)
  run "$SECWRAP" caps --json -- "${texts[@]}"
  assert_success
  assert_equal "${#lines[@]}" 400
  assert_line --index 399 --partial '"text":"30+p"'
}

@test "caps: all of a long output reaches a slow pipe (non-blocking stdout, partial writes)" {
  texts=$(yes cap_chown+ep | head -3000)
  # shellcheck disable=SC2086
  "$SECWRAP" caps $texts >"$BATS_TEST_TMPDIR/file"
  # shellcheck disable=SC2086
  run bash -c "set -o pipefail; '$SECWRAP' caps $(tr '\n' ' ' <<<"$texts") | (sleep 0.5; wc -c)"
  assert_success
  assert_output "$(wc -c <"$BATS_TEST_TMPDIR/file")"
  [[ $(wc -c <"$BATS_TEST_TMPDIR/file") -gt 131072 ]] || fail "output too short to fill the pipe"
}

@test "--help lists every subcommand and option" {
  run "$SECWRAP" --help
  assert_success
  for w in check explain caps completion --config --user --group --groups --chroot --caps --no-new-privs \
    --preserve-fds --keep-env --reset-env --new-session --verbose; do
    assert_output --partial -- "$w"
  done
}

@test "--version prints the package version" {
  run "$SECWRAP" --version
  assert_success
  assert_output "$(node -p 'require(process.argv[1]).version' "$SECWRAP_ROOT/package.json")"
}

@test "completion prints a bash completion script" {
  run "$SECWRAP" completion
  assert_success
  assert_output --partial 'complete -o bashdefault -o default -F _secwrap_yargs_completions secwrap'
}

@test "unknown option on the run path exits 125, command not run" {
  run --separate-stderr "$SECWRAP" --bogus -- touch "$(marker)"
  assert_equal "$status" 125
  assert_not_ran
}

@test "options after the command name belong to the command" {
  run "$SECWRAP" -u ecuser id -u
  assert_success
  assert_output 4242
}
