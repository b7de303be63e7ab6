#!/usr/bin/env bats
# The shipped executable itself ($SECWRAP, dist/secwrap: a Node single executable application
# with the ffi-rs addon embedded): it runs alone, nothing from the environment steers Node, the
# addon is loaded from an unnamed inode that nobody else can reach and nothing is left behind,
# and where no usable place exists it fails closed (125) saying what it tried.
# Runs as root in run-bats.sh's private mount namespace; tests that change mounts do it in a
# nested one (unshare), so the mounts vanish with the test.

load helpers

# the pinned Node of this machine (helpers.bash), the one the executable embeds
NODE26=$PINNED_NODE
PROBE="$SECWRAP_ROOT/.cache/ship/probe"

setup_file() {
  # A probe built with the very same recipe (scripts/build.mjs --entry): it loads the addon
  # through src/libc/native.ts, calls libc through it, prints its maps and fds, and can hold.
  node "$SECWRAP_ROOT/scripts/build.mjs" --entry "$SECWRAP_ROOT/test/unit/ship/fixtures/probe.ts" --out "$PROBE"
}

# A copy of $SECWRAP outside the folders the tests below mount over (/tmp, /run, /dev/shm,
# /var/tmp): the checkout itself may live under /tmp.
secwrap_copy() {
  local d
  d=$(scratch_dir)
  chmod 0755 "$d"
  cp "$SECWRAP" "$d/secwrap"
  echo "$d/secwrap"
}

# The example image's config: ecuser, keeping cap_net_bind_service.
example_conf() { write_conf <"$SECWRAP_ROOT/images/container/ecelerity.conf"; }

# in_ns SCRIPT: run bash SCRIPT in a nested private mount namespace (mounts die with it).
in_ns() { unshare --mount --propagation private -- bash -c "$1"; }

@test "ship: dist/secwrap is one ELF file (a Node 26 single executable), not a launcher script" {
  run od -An -tx1 -N4 "$SECWRAP"
  assert_output --regexp '7f 45 4c 46'
  run grep -c NODE_SEA_BLOB "$SECWRAP"
  assert_success
  run "$SECWRAP" --version
  assert_success
  assert_output "secwrap $(node -p "require('$SECWRAP_ROOT/package.json').version")"
}

@test "ship: copied alone into an empty folder, with the checkout hidden, it runs and drops" {
  d=$(mktemp -d)
  cp "$SECWRAP" "$d/secwrap"
  conf=$(example_conf)
  # node_modules and dist hidden: the copy needs nothing from the checkout or the environment.
  run in_ns "mount -t tmpfs none '$SECWRAP_ROOT/node_modules' && mount -t tmpfs none '$SECWRAP_ROOT/dist' &&
    cd '$d' && env -i ./secwrap --version && env -i ./secwrap -c '$conf' -- /usr/bin/id -u"
  rm -rf "$d"
  assert_success
  assert_line --index 0 --regexp '^secwrap [0-9]+\.[0-9]+\.[0-9]+'
  assert_line --index 1 '4242'
}

@test "ship: NODE_OPTIONS --require is not run (and is, by the same Node, as a control)" {
  d=$(mktemp -d)
  echo "require('fs').writeFileSync('$d/preloaded', 'x')" >"$d/x.js"
  # Control: the Node the executable is built on honours it.
  NODE_OPTIONS="--require $d/x.js" run "$NODE26" -e 0
  assert_success
  [[ -e "$d/preloaded" ]] || fail "control: the preload did not run under plain node"
  rm "$d/preloaded"
  conf=$(example_conf)
  NODE_OPTIONS="--require $d/x.js" run "$SECWRAP" --version
  assert_success
  NODE_OPTIONS="--require $d/x.js" run "$SECWRAP" -c "$conf" -- /bin/true
  assert_success
  NODE_OPTIONS="--import $d/x.js --inspect-brk" run "$SECWRAP" -c "$conf" -- /bin/true
  assert_success
  [[ ! -e "$d/preloaded" ]] || fail "the NODE_OPTIONS preload ran inside secwrap"
  rm -rf "$d"
}

@test "ship: OPENSSL_CONF cannot make OpenSSL load a provider module at start-up" {
  d=$(mktemp -d)
  printf 'nodejs_conf = nc\n[nc]\nproviders = p\n[p]\nevil = e\n[e]\nmodule = %s/evil.so\nactivate = 1\n' "$d" >"$d/openssl.cnf"
  # Control: plain Node reads it and dies trying to load the provider.
  OPENSSL_CONF="$d/openssl.cnf" run "$NODE26" -e 0
  assert_failure
  OPENSSL_CONF="$d/openssl.cnf" run "$SECWRAP" --version
  assert_success
  OPENSSL_CONF="$d/openssl.cnf" run "$SECWRAP" -c "$(example_conf)" -- /bin/true
  assert_success
  rm -rf "$d"
}

@test "ship: NODE_ICU_DATA names no folder ICU looks in (plain Node looks there, as a control)" {
  command -v strace >/dev/null || fail "strace is needed (apt-get install strace)"
  d=$(mktemp -d)
  # Control: the Node the executable is built on looks for ICU data files there at start.
  NODE_ICU_DATA="$d" run strace -f -qq -e trace=stat,statx,newfstatat,openat "$NODE26" -e 0
  assert_success
  assert_output --partial "\"$d/icudt"
  NODE_ICU_DATA="$d" run strace -f -qq -e trace=stat,statx,newfstatat,openat "$SECWRAP" -c "$(example_conf)" -- /bin/true
  assert_success
  refute_output --partial "$d"
  rm -rf "$d"
}

@test "ship: NODE_COMPILE_CACHE and NODE_V8_COVERAGE make it read or write no file" {
  d=$(mktemp -d)
  # Control: Node 26 running the same bundle uses both.
  NODE_COMPILE_CACHE="$d/cc0" NODE_V8_COVERAGE="$d/cov0" run "$NODE26" "$SECWRAP_ROOT/dist/secwrap.cjs" --version
  assert_success
  [[ -n $(find "$d/cc0" -type f) && -n $(find "$d/cov0" -type f) ]] || fail "control: plain node wrote no cache/coverage"
  NODE_COMPILE_CACHE="$d/cc" NODE_V8_COVERAGE="$d/cov" run "$SECWRAP" --version
  assert_success
  NODE_COMPILE_CACHE="$d/cc" NODE_V8_COVERAGE="$d/cov" run "$SECWRAP" -c "$(example_conf)" -- /bin/true
  assert_success
  # No coverage folder at all; the compile cache folder is created by Node before any of our
  # code (a known residue) but stays empty: no cache entry read or written for our code.
  [[ ! -e "$d/cov" ]] || fail "coverage written: $(find "$d/cov")"
  run find "$d/cc" -type f
  assert_output ''
  rm -rf "$d"
}

@test "ship: the addon is loaded from an unnamed O_TMPFILE inode (strace of dist/secwrap)" {
  command -v strace >/dev/null || fail "strace is needed (apt-get install strace)"
  log=$(mktemp)
  run strace -f -qq -o "$log" -e trace=openat,open,creat,linkat,link,renameat2,rename,memfd_create \
    "$SECWRAP" -c "$(example_conf)" -- /bin/true
  assert_success
  # One O_TMPFILE open in a candidate folder, then dlopen through /proc/self/fd/N.
  tmpfile=$(grep -E 'O_TMPFILE' "$log" | grep -vE '= -1' || true)
  [[ -n "$tmpfile" ]] || fail "no successful O_TMPFILE open: $(grep O_TMPFILE "$log")"
  while read -r l; do
    [[ "$l" =~ \"(/dev/shm|/run|/tmp|/var/tmp)\",\ O_RDWR\|O_EXCL\|O_CLOEXEC\|O_TMPFILE,\ 0700\) ]] || fail "unexpected O_TMPFILE open: $l"
  done <<<"$tmpfile"
  grep -qE 'openat\(AT_FDCWD, "/proc/self/fd/[0-9]+", O_RDONLY\|O_CLOEXEC\) = [0-9]+' "$log" || fail "no dlopen via /proc/self/fd"
  # No named file is ever created or linked for it.
  run grep -E 'O_CREAT|creat\(|link(at)?\(|rename' "$log"
  assert_output ''
  run grep -E '\.node"' "$log"
  assert_output ''
  rm -f "$log"
}

@test "ship: two concurrent runs map two different unnamed inodes, never a path" {
  d=$(mktemp -d)
  mkfifo "$d/in1" "$d/in2"
  "$PROBE" hold <"$d/in1" >"$d/out1" &
  p1=$!
  "$PROBE" hold <"$d/in2" >"$d/out2" &
  p2=$!
  exec 7>"$d/in1" 8>"$d/in2"
  for _ in $(seq 100); do [[ -s "$d/out1" && -s "$d/out2" ]] && break; sleep 0.1; done
  maps1=$(grep ' (deleted)$' "/proc/$p1/maps" | grep -E ' r-xp ' || true)
  maps2=$(grep ' (deleted)$' "/proc/$p2/maps" | grep -E ' r-xp ' || true)
  # Each run's addon code is mapped from "<dir>/#<ino> (deleted)": an O_TMPFILE inode.
  [[ "$maps1" =~ \ (/dev/shm|/run|/tmp|/var/tmp)/#[0-9]+\ \(deleted\)$ ]] || fail "run 1 maps: $maps1"
  [[ "$maps2" =~ \ (/dev/shm|/run|/tmp|/var/tmp)/#[0-9]+\ \(deleted\)$ ]] || fail "run 2 maps: $maps2"
  ino1=$(awk '{print $4":"$5}' <<<"$maps1" | head -1)
  ino2=$(awk '{print $4":"$5}' <<<"$maps2" | head -1)
  [[ "$ino1" != "$ino2" ]] || fail "both runs map the same inode $ino1"
  # The mapped files have no name anywhere: link count 0.
  r1=$(awk '{print $1}' <<<"$maps1" | head -1)
  r2=$(awk '{print $1}' <<<"$maps2" | head -1)
  assert_equal "$(stat -L -c %h "/proc/$p1/map_files/$r1")" 0
  assert_equal "$(stat -L -c %h "/proc/$p2/map_files/$r2")" 0
  dir1=$(sed -E 's/.* (\/[a-z/]+)\/#[0-9]+ \(deleted\)$/\1/' <<<"$maps1" | head -1)
  run find "$dir1" -maxdepth 1 -name '#*'
  assert_output ''
  # The probe called libc through the addon, and holds no fd of the file any more.
  grep -q "\"pid\":$p1," "$d/out1" || fail "probe 1 did not call getpid through the addon: $(cat "$d/out1")"
  run ls -l "/proc/$p1/fd/" "/proc/$p2/fd/"
  refute_output --partial '(deleted)'
  exec 7>&- 8>&-
  wait "$p1" "$p2"
  rm -rf "$d"
}

@test "ship: SIGUSR1 cannot open the inspector in the executable, which runs 3 threads (plain Node opens it, as a control)" {
  d=$(mktemp -d)
  mkfifo "$d/in0" "$d/in1"
  # Control: the very Node the executable embeds, blocked in a read, opens a debugger port.
  # It says when it is ready (its SIGUSR1 handler is installed before user code runs).
  # The read is retried on EINTR: the signal may land on the main thread while it reads.
  "$NODE26" -e 'const fs = require("fs"); fs.writeSync(1, "r");
    for (;;) { try { fs.readSync(0, Buffer.alloc(1)); break; } catch (e) { if (e.code !== "EINTR") throw e; } }' <"$d/in0" >"$d/out0" 2>"$d/err0" &
  p0=$!
  exec 7>"$d/in0"
  for _ in $(seq 100); do [[ -s "$d/out0" ]] && break; sleep 0.1; done
  kill -USR1 "$p0"
  for _ in $(seq 50); do grep -q 'Debugger listening' "$d/err0" && break; sleep 0.1; done
  exec 7>&-
  wait "$p0" || true
  grep -q 'Debugger listening' "$d/err0" || fail "control: plain node opened no inspector: $(cat "$d/err0")"
  # The probe is built with the executable's recipe (same execArgv, --disable-sigusr1): SIGUSR1
  # arrives and stays pending (Node keeps it blocked), no port is opened. 3 threads, not 7.
  "$PROBE" hold <"$d/in1" >"$d/out1" 2>"$d/err1" &
  p1=$!
  exec 8>"$d/in1"
  for _ in $(seq 100); do [[ -s "$d/out1" ]] && break; sleep 0.1; done
  threads=$(ls "/proc/$p1/task" | wc -l)
  kill -USR1 "$p1"
  sleep 1
  pending=$(awk '/^ShdPnd:/ {print $2}' "/proc/$p1/status")
  exec 8>&-
  wait "$p1"
  (( 0x$pending & (1 << 9) )) || fail "SIGUSR1 not pending in the probe (ShdPnd $pending)"
  run cat "$d/err1"
  refute_output --partial 'Debugger listening'
  assert_equal "$threads" 3
  rm -rf "$d"
}

@test "ship: the target inherits neither the fd nor the mapping of the addon" {
  run "$SECWRAP" -c "$(example_conf)" -- /bin/sh -c 'ls -l /proc/self/fd/; cat /proc/self/maps'
  assert_success
  refute_output --partial '(deleted)'
  refute_output --partial 'ffi-rs'
  refute_output --regexp '/(dev/shm|run|tmp|var/tmp)/#[0-9]'
}

@test "ship: nothing is left in /tmp, /dev/shm, /run, /var/tmp after runs, failed ones included" {
  conf=$(example_conf)
  sw=$(secwrap_copy)
  # Fresh, empty tmpfs on each folder, so that no other process's files can blur the listing.
  # mount -n: util-linux would otherwise write /run/mount/utab.
  run in_ns "for m in /tmp /dev/shm /run /var/tmp; do mount -n -t tmpfs -o mode=1777 none \$m || exit 9; done
    before=\$(find /tmp /dev/shm /run /var/tmp -mindepth 1)
    [ -z \"\$before\" ] || { echo \"not empty before: \$before\"; exit 8; }
    '$sw' --version >/dev/null || exit 1
    '$sw' -c '$conf' -- /bin/true || exit 2
    '$sw' -c '$conf' -- /nonexistent/cmd 2>/dev/null; [ \$? -eq 127 ] || exit 3
    '$sw' -u nosuchuser-x -- /bin/true 2>/dev/null; [ \$? -eq 125 ] || exit 4
    for i in 1 2 3 4; do '$sw' -c '$conf' -- /bin/true & done; wait
    find /tmp /dev/shm /run /var/tmp -mindepth 1"
  assert_success
  assert_output ''
}

@test "ship: works with TMPDIR pointing nowhere (TMPDIR is never used)" {
  TMPDIR=/nonexistent run "$SECWRAP" -c "$(example_conf)" -- /usr/bin/id -u
  assert_success
  assert_output '4242'
  TMPDIR=/nonexistent TMP=/nonexistent TEMP=/nonexistent run "$SECWRAP" --version
  assert_success
}

@test "ship: read-only root with a writable /tmp: the addon goes to /tmp" {
  conf=$(example_conf)
  sw=$(secwrap_copy)
  # /run is on the root file system here; /dev/shm noexec as in containers.
  run in_ns "mount -t tmpfs -o mode=1777 none /tmp && mount -t tmpfs -o mode=1777,noexec none /dev/shm &&
    mount -o remount,bind,ro / && mount -o remount,bind,ro /run 2>/dev/null;
    if [ -w / ]; then exit 9; fi
    strace -f -qq -e trace=openat '$sw' -c '$conf' -- /usr/bin/id -u 2>&1 | grep -E 'O_TMPFILE|^[0-9]+$'"
  assert_success
  assert_line --regexp '"/tmp", O_RDWR\|O_EXCL\|O_CLOEXEC\|O_TMPFILE, 0700\) = [0-9]+'
  assert_line '4242'
}

@test "ship: no usable place (all candidates noexec): exit 125, says what it tried" {
  conf=$(example_conf)
  sw=$(secwrap_copy)
  run in_ns "for m in /tmp /dev/shm /run /var/tmp; do mount -t tmpfs -o mode=1777,noexec none \$m || exit 9; done
    '$sw' -c '$conf' -- /bin/sh -c 'echo TARGET-RAN'"
  assert_failure 125
  refute_output --partial TARGET-RAN
  assert_output --partial 'native part'
  for m in /dev/shm /run /tmp /var/tmp; do assert_output --partial "$m: no exec allowed"; done
}

@test "ship: no usable place (read-only, not owned by root): exit 125 with each reason" {
  conf=$(example_conf)
  sw=$(secwrap_copy)
  run in_ns "mount -t tmpfs -o mode=1777,ro none /tmp && mount -t tmpfs -o mode=1777,uid=4242 none /dev/shm &&
    mount -t tmpfs -o mode=1777,ro none /run && mount -t tmpfs -o mode=1777,ro none /var/tmp &&
    '$sw' -c '$conf' -- /bin/true"
  assert_failure 125
  assert_output --partial '/dev/shm: owned by uid 4242, not root'
  assert_output --partial '/tmp: O_TMPFILE open: EROFS'
  assert_output --partial '/var/tmp: O_TMPFILE open: EROFS'
}

@test "ship: /proc not mounted: exit 125 and says so" {
  conf=$(example_conf)
  sw=$(secwrap_copy)
  run in_ns "mount -t tmpfs none /proc && '$sw' -c '$conf' -- /bin/true"
  assert_failure 125
  assert_output --partial '/proc is not mounted'
}

@test "ship: the Kubernetes example's securityContext is what explain --format k8s prints" {
  cd "$SECWRAP_ROOT"
  conf=$(example_conf)
  run --separate-stderr "$SECWRAP" explain --format k8s -c "$conf"
  assert_success
  explained=$output
  run node --input-type=module -e "
    import { readFileSync } from 'node:fs';
    import { parse, parseAllDocuments } from 'yaml';
    import { isDeepStrictEqual } from 'node:util';
    const pod = parseAllDocuments(readFileSync('examples/kubernetes/secwrap-example.yaml', 'utf8'))
      .map((d) => d.toJS()).find((d) => d.kind === 'Pod');
    const want = parse(process.argv[1]).securityContext;
    const have = pod.spec.containers[0].securityContext;
    console.log(JSON.stringify(have));
    if (!want || !isDeepStrictEqual(have, want)) { console.log('explain:', JSON.stringify(want)); process.exit(1); }
  " "$explained"
  assert_success
}

@test "ship: the Docker example's capability flags are what explain --format docker prints" {
  conf=$(example_conf)
  run --separate-stderr "$SECWRAP" explain --format docker -c "$conf"
  assert_success
  # the capability flags, then the descriptor limit the config run plans (its value depends on
  # the host: Momentum's default capped at what secwrap may raise; parity.bats checks it)
  assert_output --regexp '^--cap-drop ALL( --cap-add [A-Z_]+)+ --ulimit nofile=([0-9]+):\2$'
  assert_output --partial '--cap-add NET_BIND_SERVICE'
  caps=${output%% --ulimit *}
  grep -qF -- "$caps" "$SECWRAP_ROOT/examples/docker/run.sh" || fail "examples/docker/run.sh does not use: $caps"
}
