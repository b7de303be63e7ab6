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

@test "check: usage errors exit 125 (the one usage code)" {
  run --separate-stderr "$SECWRAP" check
  assert_equal "$status" 125
  run --separate-stderr "$SECWRAP" check --bogus-flag x.conf
  assert_equal "$status" 125
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
  assert_output "secwrap $(node -p 'require(process.argv[1]).version' "$SECWRAP_ROOT/package.json")"
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

# --- Unix conventions (issue 15, point 5) --------------------------------------------------------

@test "attached short options and --opt=value, on the run line and in explain" {
  run "$SECWRAP" -uecuser id -u
  assert_success
  assert_output 4242
  run "$SECWRAP" -uecuser -Gecmail,ecadm -- id -G
  assert_output '4242 4243 4244'
  run "$SECWRAP" --user=ecuser --groups=ecadm -gecmail -- id -G
  assert_output '4243 4244'
  run "$SECWRAP" explain -uecuser -Gecmail
  assert_success
  assert_line --partial 'user          4242(ecuser)'
  assert_line --partial 'groups        4243(ecmail) (flag)'
}

@test "-V and --version print 'secwrap VERSION', GNU style" {
  v=$(node -p 'require(process.argv[1]).version' "$SECWRAP_ROOT/package.json")
  for a in -V --version; do
    run --separate-stderr "$SECWRAP" "$a"
    assert_success
    assert_output "secwrap $v"
  done
}

@test "usage errors exit 125 on every path, with one line on stderr" {
  for args in "--bogus -- true" "" "-u" "check" "check --bogus x.conf" "explain --bogus" "explain --format nope" \
    "caps" "caps --bogus x" "completion --bogus" "--keep-env --reset-env -- true"; do
    # shellcheck disable=SC2086
    run --separate-stderr "$SECWRAP" $args
    [[ $status -eq 125 ]] || fail "secwrap $args: exit $status, stderr: $stderr"
    [[ ${#stderr_lines[@]} -eq 1 && $stderr == secwrap:* ]] || fail "secwrap $args: stderr: $stderr"
  done
}

@test "caps with no TEXT is a usage error" {
  run --separate-stderr "$SECWRAP" caps
  assert_equal "$status" 125
  [[ $stderr == *'no TEXT given'* ]] || fail "$stderr"
  run --separate-stderr "$SECWRAP" caps --json --
  assert_equal "$status" 125
}

@test "explain exits the way the run would, also as non-root" {
  nobody=(setpriv --reuid 65534 --regid 65534 --clear-groups)
  run --separate-stderr "${nobody[@]}" "$SECWRAP" -u ecuser -- true
  assert_equal "$status" 125
  run --separate-stderr "${nobody[@]}" "$SECWRAP" explain -u ecuser -- true
  assert_equal "$status" 125
  assert_line --partial 'would fail: secwrap lacks CAP_SETGID'
  [[ $stderr == 'secwrap: the run would fail: secwrap lacks CAP_SETGID'* ]] || fail "$stderr"
  # nothing to change: the run execs, explain exits 0
  run --separate-stderr "${nobody[@]}" "$SECWRAP" explain -- true
  assert_success
  # the container formats describe a container's run, not this process's
  run --separate-stderr "${nobody[@]}" "$SECWRAP" explain --format docker -u ecuser
  assert_success
  assert_output '--cap-drop ALL --cap-add SETGID --cap-add SETUID'
}

@test "completion completes real option names and subcommands; completion --help prints help" {
  run "$SECWRAP" --get-yargs-completions secwrap -
  assert_success
  for w in --config -c --user -u --group -g --groups -G --chroot --caps --no-new-privs --preserve-fds \
    --keep-env --reset-env --new-session --verbose -v --help -h --version -V; do
    assert_line -- "$w"
  done
  refute_line '$0'
  refute_line '--c'
  refute_line '--u'
  run "$SECWRAP" --get-yargs-completions secwrap ''
  assert_output "$(printf '%s\n' check explain caps completion)"
  run "$SECWRAP" --get-yargs-completions secwrap explain --format ''
  assert_output "$(printf '%s\n' text json docker k8s)"
  run "$SECWRAP" --get-yargs-completions secwrap check -
  assert_line -- --syntax-only
  refute_line -- --user
  # what follows the run line's COMMAND is the command's: bash completes file names
  run "$SECWRAP" --get-yargs-completions secwrap -u ecuser id -
  assert_output ''
  # through bash, with the script secwrap prints
  run bash -c "source <('$SECWRAP' completion); secwrap() { '$SECWRAP' \"\$@\"; }
    COMP_WORDS=(secwrap --us); COMP_CWORD=1; _secwrap_yargs_completions; echo \"\${COMPREPLY[*]}\""
  assert_output '--user'
  run "$SECWRAP" completion --help
  assert_success
  assert_line --index 0 'Usage: secwrap completion'
}

@test "--help shows metavariables, examples and the exit codes" {
  run --separate-stderr "$SECWRAP" --help
  assert_success
  for w in '-c, --config=FILE' '-u, --user=USER[:GROUP]' '-g, --group=GROUP' '-G, --groups=LIST' '--chroot=DIR' \
    '--caps=TEXT' '--preserve-fds=N' '-V, --version' 'Examples:' 'Exit status:' '125  secwrap failed' \
    '126  COMMAND was found' '127  COMMAND was not found'; do
    assert_output --partial -- "$w"
  done
  run --separate-stderr "$SECWRAP" explain --help
  assert_success
  assert_output --partial -- '--format=FORMAT'
  assert_output --partial 'Exit status:'
  run --separate-stderr "$SECWRAP" -h
  assert_success
  assert_line --index 0 'Usage: secwrap [OPTION]... [-c FILE] [--] COMMAND [ARG]...'
}

@test "-u USER:GROUP: gosu's meaning, that group only (setpriv's equivalent, field by field)" {
  out=$(compare_with_setpriv -u ecuser:ecmail --vs-- --reuid 4242 --regid 4243 --clear-groups)
  assert_equal "$(grep ^Groups <<<"$out")" "Groups:"
  compare_with_setpriv -u 4242:4260 --vs-- --reuid 4242 --regid 4260 --clear-groups
  compare_with_setpriv -u ecuser: --vs-- --reuid 4242 --regid 4242 --init-groups
  compare_with_setpriv -u ecuser:ecmail -G ecadm --vs-- --reuid 4242 --regid 4243 --groups 4244
  run --separate-stderr "$SECWRAP" -u ecuser:ecmail -g ecadm -- touch "$(marker)"
  assert_equal "$status" 125
  [[ $stderr == *'choose one'* ]] || fail "$stderr"
  assert_not_ran
}

# --- messages that say what to do (point 6) ---------------------------------------------------------

@test "a missing config names the path and the fix, at no made-up FILE:1:1" {
  run --separate-stderr "$SECWRAP" -c /srv/nonexistent/ecelerity.conf -- touch "$(marker)"
  assert_equal "$status" 125
  [[ $stderr == 'secwrap: no config file at /srv/nonexistent/ecelerity.conf ('*'-c'*'COPY --chmod=0644'* ]] || fail "$stderr"
  [[ $stderr != *':1:1'* ]] || fail "$stderr"
  assert_not_ran
  run --separate-stderr "$SECWRAP" check /srv/nonexistent.conf
  assert_equal "$status" 1
  [[ $stderr != *':1:1'* ]] || fail "$stderr"
}

@test "a command not found after the drop names the PATH directory the user cannot search" {
  d=$(scratch_dir)
  chmod 0700 "$d"
  cp /bin/true "$d/only-here"
  run --separate-stderr env PATH="$d:/usr/bin:/bin" "$SECWRAP" -u ecuser only-here
  assert_equal "$status" 126
  [[ $stderr == *"uid 4242 (the user it runs as now) cannot search \"$d\""* ]] || fail "$stderr"
  # glibc's execvp reports EACCES when a PATH directory could not be searched (126, as it is)
  run --separate-stderr env PATH="$d:/usr/bin:/bin" "$SECWRAP" -u ecuser not-anywhere
  assert_equal "$status" 126
  [[ $stderr == *"cannot execute \"not-anywhere\": EACCES (Permission denied)"*"cannot search \"$d\""* ]] || fail "$stderr"
  # without an unsearchable directory: 127 and no hint
  run -127 --separate-stderr env PATH="/usr/bin:/bin" "$SECWRAP" -u ecuser not-anywhere
  [[ $stderr != *"cannot search"* ]] || fail "$stderr"
  # searchable: found and run
  chmod 0755 "$d"
  run env PATH="$d:/usr/bin:/bin" "$SECWRAP" -u ecuser only-here
  assert_success
}
