#!/usr/bin/env bats
# The file footprint of the executable ($SECWRAP): every path it opens, stats, accesses, reads as
# a link or executes, traced with `strace -f -e trace=%file` for the run path, check, explain,
# caps, --help, --version and completion, as root and as a non-root uid, must be on the short
# allow-list in allowed() below, each entry with its reason. Anything else fails the test, naming
# the path and the subcommand. A root process must not read files whose path depends on where it
# was copied, on the working directory or on the environment: only what the user named (the
# config and its includes, the chroot, the command) and fixed system paths.
#
# The copy under test sits three folders down, every parent mode 0700 and root's: a non-root uid
# can neither list nor cross them. It is started through setpriv, which still holds root's
# capabilities at execve, so the uid runs it but cannot reach anything next to it. Decoys wait
# where a path computed from the executable's place or the working directory would land: yargs'
# locales/en.json two levels up from the executable's folder, a package.json in every parent.

load helpers

UID_OTHER=4250 # the fixture user ecother

setup_file() {
  command -v strace >/dev/null || {
    echo "footprint: strace is needed (apt-get install strace)" >&2
    return 1
  }
  local fp u
  fp=$(scratch_dir) # root's, mode 0700
  mkdir -m 0700 "$fp/up2" "$fp/up2/up1" "$fp/up2/up1/bin"
  cp "$SECWRAP" "$fp/up2/up1/bin/secwrap"
  mkdir -m 0700 "$fp/up2/locales"
  echo '{"Show help": "DECOY: read next to the executable"}' >"$fp/up2/locales/en.json"
  for d in "$fp" "$fp/up2" "$fp/up2/up1" "$fp/up2/up1/bin"; do
    echo '{"name": "decoy", "version": "6.6.6", "yargs": {"halt-at-non-option": false}}' >"$d/package.json"
  done
  # The user's files, root-owned (trusted) and readable by the uid: a config whose identity comes
  # from an include, and a config that changes nothing, which a non-root uid can apply.
  u=$(scratch_dir)
  chmod 0755 "$u"
  printf 'include "extra.conf"\n' >"$u/ecelerity.conf"
  printf 'security {\n  user = ecuser\n  group = ecuser\n  capabilities = "cap_net_bind_service+ep"\n}\n' >"$u/extra.conf"
  printf 'include "noop-extra.conf"\n' >"$u/noop.conf"
  # Momentum's defaults would drop to ecuser: name the uid's own identity, no groups, instead.
  printf 'security {\n  user = ecother\n  group = ecother\n  supplemental_groups = ( )\n}\n' >"$u/noop-extra.conf"
  chmod 0644 "$u"/*.conf
  export FP_DIR=$fp
  export EXE=$fp/up2/up1/bin/secwrap
  export CONF=$u/ecelerity.conf INC=$u/extra.conf NOOP=$u/noop.conf NOOP_INC=$u/noop-extra.conf
  export CMD=/usr/bin/true
  # The config folder's ancestors, from / down: the path rule's walk (see allowed()).
  local a=$u
  USER_DIRS=()
  while [[ $a != / ]]; do a=$(dirname "$a"); USER_DIRS+=("$a"); done
  export USER_DIRS_RE="^($(printf '%s|' "$u" "${USER_DIRS[@]}" | sed 's/|$//; s/\./\\./g'))$"
}

# allowed SYSCALL PATH: succeeds if secwrap may touch PATH. PINNED (a regex on "SYSCALL PATH")
# adds what a test pins beyond the list, with its own reason there.
allowed() {
  local sc=$1 p=$2
  [[ -n ${PINNED:-} && "$sc $p" =~ $PINNED ]] && return 0
  # Absolute, with no "." or ".." component and no "//": every entry means exactly what it says.
  [[ $p == /* && $p != *//* && $p/ != */./* && $p/ != */../* ]] || return 1
  # The folder of the user's configs and every folder above it: the path rule walks each (lstat,
  # from / down) when secwrap is privileged, since every step of a config's path must be root's.
  [[ $p =~ $USER_DIRS_RE ]] && return 0
  case $p in
    # The user's files: the config and its include (and the config that changes nothing, with
    # its include), and the command, whose execve ends secwrap's part of the trace.
    "$CONF" | "$INC" | "$NOOP" | "$NOOP_INC" | "$CMD") return 0 ;;
    # The executable itself: strace starts it, and V8 opens it again to map its embedded
    # built-in code from the file (found through /proc/self/maps). As the uid that open fails
    # (the 0700 parents) and V8 does without.
    "$EXE") return 0 ;;
    # /proc/self/…: Node's start (the main thread's stack in maps, cgroup, exe, the stdio
    # descriptors' fdinfo), the native part loaded through /proc/self/fd/N, the credentials read
    # back from /proc/self/status, folder includes opened through /proc/self/fd/N/NAME.
    /proc/self/*) return 0 ;;
    # The kernel's last capability: capability texts and sets are checked against it.
    /proc/sys/kernel/cap_last_cap) return 0 ;;
    # The kernel's ceiling for RLIMIT_NOFILE: a config run plans Momentum's descriptor limit
    # (server_max_file_descriptors, or its default capped at fs.nr_open).
    /proc/sys/fs/nr_open) return 0 ;;
    # NSS, for the user and group lookups (getpwnam_r, getgrnam_r, initgroups): its config, the
    # files it names, glibc's stat of "/" (it reloads nsswitch.conf after a chroot), and the
    # folder where libnss_systemd looks for user-database services when nsswitch.conf names it.
    /etc/nsswitch.conf | /etc/passwd | /etc/group | / | /run/systemd/userdb/) return 0 ;;
    # libnss_systemd also looks for user-database drop-ins (initgroups asks every source) in
    # systemd's fixed folders, resolving each path one component at a time (O_PATH).
    /etc/userdb | /run/userdb | /run/host/userdb | /usr/local/lib/userdb | /usr/lib/userdb) return 0 ;;
    /etc | /run | /run/host | /usr | /usr/local | /usr/local/lib | /usr/lib | /lib) return 0 ;;
    # The dynamic loader's own files: the preload list and the library cache (the libraries
    # themselves are matched below).
    /etc/ld.so.preload | /etc/ld.so.cache) return 0 ;;
    # The fixed list of places for the unnamed (O_TMPFILE) copy of the native part, in the
    # order src/libc/native.ts tries them.
    /dev/shm | /run | /tmp | /var/tmp) return 0 ;;
    # What Node itself reads at start: the machine's memory (libuv, for V8's heap limits), the
    # kernel's version (libuv reads Ubuntu's /proc/version_signature), OpenSSL's config
    # (--openssl-config=/dev/null, scripts/sea/exec-argv.mjs) and libuv's spare descriptor for
    # EMFILE (both /dev/null).
    /proc/meminfo | /proc/version_signature | /dev/null) return 0 ;;
    # V8's worker thread: abseil's mutex, the first time it must wait, reads the number of CPUs
    # and the nominal CPU frequency (so these appear in some runs only).
    /sys/devices/system/cpu/online | /sys/devices/system/cpu/cpu0/tsc_freq_khz) return 0 ;;
    # glibc's malloc, when it shrinks a thread's heap (arena), asks the kernel's overcommit policy
    # (check_may_shrink_heap): in some runs only, depending on what the threads freed.
    /proc/sys/vm/overcommit_memory) return 0 ;;
  esac
  # The libraries the dynamic loader maps: Node's, then libcap and the NSS modules that the
  # native part dlopens; by name in the system's library folders only.
  [[ $p =~ ^(/usr)?/lib(64|/$MACHINE-linux-gnu)/lib[^/]+\.so(\.[0-9]+)*$ ]] && return 0
  # Node at start: the cgroup memory limits (libuv, for V8's heap limits; cgroup v2 or v1),
  # below the process's own cgroup as /proc/self/cgroup names it.
  [[ $p =~ ^/sys/fs/cgroup(/[^/]+)*/memory\.(max|high|limit_in_bytes|soft_limit_in_bytes)$ ]] && return 0
  # ICU's data folder, set to /dev/null (--icu-data-dir, scripts/sea/exec-argv.mjs) so that
  # NODE_ICU_DATA cannot name one: nothing exists below /dev/null, every lookup there fails with
  # ENOTDIR and ICU uses its linked-in data.
  [[ $p =~ ^/dev/null/icudt[0-9]+l/ ]] && return 0
  return 1
}

# paths LOG: "SYSCALL PATH" for each path in an strace log, from the execve of $EXE (lines
# before it are strace's or setpriv's) up to the execve of $CMD (what follows is the command's
# own start). A path relative to a folder's descriptor is joined to the folder's path, which
# strace -y prints (one it cannot name shows as "<fd N>/PATH", never allowed); an empty path
# (fstat-like calls on a descriptor) and getcwd, which reads no file, are skipped.
paths() {
  awk -v exe="$EXE" -v cmd="$CMD" '
    { sub(/^[0-9]+ +/, "") }
    /^(\+\+\+|---) / || /^<\.\.\. / { next }
    !match($0, /^[a-z0-9_]+\(/) { next }
    {
      sc = substr($0, 1, RLENGTH - 1)
      rest = substr($0, RLENGTH + 1)
      dir = ""
      if (match(rest, /^[0-9]+<[^>]*>(\(deleted\))?, /)) {
        dir = substr(rest, 1, RLENGTH); rest = substr(rest, RLENGTH + 1)
        sub(/^[0-9]+</, "", dir); sub(/>(\(deleted\))?, $/, "", dir); dir = dir "/"
      }
      else if (match(rest, /^[0-9]+, /)) { dir = "<fd " substr(rest, 1, RLENGTH - 2) ">/"; rest = substr(rest, RLENGTH + 1) }
      else if (match(rest, /^AT_FDCWD(<[^>]*>)?, /)) rest = substr(rest, RLENGTH + 1)
      if (dir == "//") dir = "/"
      # A call whose path this parser cannot find is reported, never skipped.
      if (!match(rest, /^"([^"\\]|\\.)*"/)) { if (index(rest, "\"")) print sc, "<unparsed> " $0; next }
      p = substr(rest, 2, RLENGTH - 2)
      if (sc == "execve" && p == exe) started = 1
      if (!started) next
      if (sc == "execve" && p == cmd) exit
      if (sc == "getcwd" || p == "") next
      print sc, dir p
    }' "$1"
}

# footprint LABEL COMMAND...: run COMMAND under strace; print the exit status on the first line,
# then one "LABEL: SYSCALL PATH" line for each path that is not allowed.
footprint() {
  local label=$1 log rc=0
  shift
  log=$(mktemp "$BATS_TEST_TMPDIR/strace.XXXXXX")
  strace -f -qq -y -s 4096 -e trace=%file -o "$log" -- "$@" >/dev/null 2>"$log.err" || rc=$?
  echo "$rc"
  [[ -s $log ]] || echo "$label: strace wrote nothing: $(cat "$log.err")"
  grep -q "execve(\"$EXE\"" "$log" || echo "$label: $EXE never started"
  local sc p
  while read -r sc p; do
    allowed "$sc" "$p" || echo "$label: $sc $p"
  done < <(paths "$log")
}

# check_all AS: the run path and every subcommand, each traced with footprint(); AS is "root" or
# "uid" (setpriv to $UID_OTHER, no groups, no capabilities). Fails listing every stray path,
# and unless each ends with the exit status it must have.
check_all() {
  local as=$1 bad=''
  local -a pre=()
  # HOSTILE (set by hostile_env): the environment secwrap gets, through env(1) under strace.
  [[ -n ${HOSTILE+x} ]] && pre=(env "${HOSTILE[@]}")
  [[ $as == uid ]] && pre+=("$SETPRIV" --reuid "$UID_OTHER" --regid "$UID_OTHER" --clear-groups)
  local -a runs=(
    "0|run -c NOOP|-c $NOOP -- $CMD"
    "0|check|check $CONF"
    "$([[ $as == uid ]] && echo 125 || echo 0)|explain|explain -c $CONF -- $CMD"
    "0|caps|caps cap_net_bind_service+ep"
    "0|--help|--help"
    "0|--version|--version"
    "0|completion|completion"
    "125|check (usage error)|check --no-such-flag"
  )
  # As root the config drops to ecuser; as the uid the same config is refused for lack of
  # CAP_SETPCAP after its lookups, also a path through the run code to trace (and explain exits
  # 125 as that run would).
  if [[ $as == root ]]; then runs+=("0|run -c CONF|-c $CONF -- $CMD"); else runs+=("125|run -c CONF|-c $CONF -- $CMD"); fi
  local r want label args out rc
  for r in "${runs[@]}"; do
    IFS='|' read -r want label args <<<"$r"
    # shellcheck disable=SC2086 # args are plain words
    out=$(footprint "$as: $label" "${pre[@]}" "$EXE" $args)
    rc=${out%%$'\n'*}
    [[ $rc == "$want" ]] || bad+="$as: $label: exit $rc, expected $want"$'\n'
    [[ $out == *$'\n'* ]] && bad+="${out#*$'\n'}"$'\n'
  done
  [[ -z $bad ]] || fail "paths off the allow-list, or wrong exit statuses:
$bad"
}

@test "footprint: as root, the run path and every subcommand touch only allow-listed paths" {
  cd "$FP_DIR/up2/up1/bin" # the decoys' folder: nothing may be found from here
  check_all root
}

@test "footprint: as a non-root uid, from 0700 parents, every subcommand works and touches only allow-listed paths" {
  cd "$FP_DIR/up2/up1/bin" # a working directory the uid cannot even look up
  check_all uid
}

# hostile_env TRAP: sets HOSTILE, an environment whose locale, home, temporary folders, ICU's,
# Node's and OpenSSL's variables all point at TRAP, which holds some of the names they would
# look for; and PINNED, what Node does with it that no build option prevents.
hostile_env() {
  local t=$1
  mkdir -p "$t/icudt78l" "$t/locale" "$t/cc" "$t/cov"
  : >"$t/icudt78l/zoneinfo64.res"
  echo 'nodejs_conf = x' >"$t/openssl.cnf"
  echo "require('fs').writeFileSync('$t/preloaded', 'x')" >"$t/x.js"
  HOSTILE=(
    LANG=de_DE.UTF-8 LC_ALL=fr_FR.UTF-8 LANGUAGE=de LOCPATH="$t/locale" NLSPATH="$t/%N" TZ=":$t/tz" TZDIR="$t"
    HOME="$t" TMPDIR="$t" TMP="$t" TEMP="$t" XDG_CONFIG_HOME="$t" XDG_RUNTIME_DIR="$t"
    OPENSSL_CONF="$t/openssl.cnf" OPENSSL_MODULES="$t" SSL_CERT_FILE="$t/ca.pem" SSL_CERT_DIR="$t"
    NODE_OPTIONS="--require $t/x.js" NODE_PATH="$t" NODE_ICU_DATA="$t" NODE_EXTRA_CA_CERTS="$t/ca.pem"
    NODE_USE_SYSTEM_CA=1 NODE_REPL_HISTORY="$t/h" NODE_REDIRECT_WARNINGS="$t/w" NODE_PENDING_DEPRECATION=1
    NODE_COMPILE_CACHE="$t/cc" NODE_V8_COVERAGE="$t/cov" NODE_PRESERVE_SYMLINKS=1 UV_THREADPOOL_SIZE=64
    ICU_DATA="$t" ICU_TIMEZONE_FILES_DIR="$t" GCONV_PATH="$t" HOSTALIASES="$t/h" FORCE_COLOR=3 COLUMNS=40
    TERM=xterm-256color
  )
  # Two things Node does before any of secwrap's code that no build option turns off, pinned:
  #  - NODE_COMPILE_CACHE: Node creates the (empty) cache folder and its versioned sub-folder,
  #    and stats the latter (ship.bats shows nothing is ever read or written in it);
  #  - ICU_TIMEZONE_FILES_DIR, ICU's own variable: ICU looks there for zoneinfo64.res when
  #    Node reads the time zone data's version at start. No Node option sets ICU's time zone
  #    folder; the trap holds no such file, so the lookup is a stat that fails.
  # (aarch64 has no mkdir or stat system call: glibc makes them mkdirat and newfstatat)
  local mkdir=mkdir stat=stat
  [[ $MACHINE == aarch64 ]] && mkdir=mkdirat stat=newfstatat
  PINNED="^(($mkdir|statx) $t/cc(/v[0-9.]+-$NODE_ARCH-[0-9a-f]+-(0|$UID_OTHER))?|$stat $t/zoneinfo64\\.res)$"
}

@test "footprint: a hostile environment and a removed working directory change nothing, as root" {
  t=$(scratch_dir)
  hostile_env "$t"
  gone=$(scratch_dir)
  cd "$gone" && rmdir "$gone"
  check_all root
  [[ ! -e $t/preloaded ]] || fail "NODE_OPTIONS' preload ran"
}

@test "footprint: a hostile environment and an unreadable working directory change nothing, as the uid" {
  t=$(scratch_dir)
  chmod 0777 "$t"
  hostile_env "$t"
  cd "$FP_DIR/up2/up1/bin"
  check_all uid
  [[ ! -e $t/preloaded ]] || fail "NODE_OPTIONS' preload ran"
}

@test "footprint: control: a path off the list fails the check, named with its subcommand" {
  other=$(write_conf <<<'security { }')
  out=$(footprint "check OTHER" "$EXE" check "$other")
  assert_equal "${out%%$'\n'*}" 0
  [[ $out == *"check OTHER: openat $other"* ]] || fail "the stray config was not reported: $out"
  # The parser sees the calls the list is about: the trace of check names the config, its
  # include (both absolute, from AT_FDCWD) and the kernel's last capability.
  log=$(mktemp "$BATS_TEST_TMPDIR/strace.XXXXXX")
  strace -f -qq -y -s 4096 -e trace=%file -o "$log" -- "$EXE" check "$CONF" >/dev/null
  run paths "$log"
  assert_line "openat $CONF"
  assert_line "openat $INC"
  assert_line "openat /proc/sys/kernel/cap_last_cap"
  # And the old y18n read, as the trace showed it, is refused.
  run allowed openat "$FP_DIR/up2/locales/en.json"
  assert_failure
  run allowed openat /proc/self/../../etc/shadow
  assert_failure
}
