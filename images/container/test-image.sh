#!/usr/bin/env bash
# The container images, for real, with podman (no Docker engine, no registry here):
#   1. builds secwrap on the host (scripts/build.mjs --all: the x64 and the arm64 executable, into
#      a scratch folder: dist/ may be rebuilt meanwhile by other test runs);
#   2. makes the base image once: `debootstrap --variant=minbase bookworm` (+ libatomic1, which
#      Node 26 needs, binutils, whose strip the build stage uses, and qemu-user-static and
#      binutils-aarch64-linux-gnu, with which it cross-builds the arm64 executable), cached as a
#      tarball under .cache/images/, imported with `podman import`;
#   3. builds the Dockerfile's targets example, secwrap and install with `--network=none`, and
#      `--platform linux/arm64 --target secwrap` (the build stage runs here, cross-building;
#      the arm64 /secwrap runs under qemu-aarch64-static -L SYSROOT: no binfmt_misc is needed or
#      registered); installs the release's .deb into the minimal base with its dependencies
#      supplied offline (3b);
#   4. runs the example as the secwrap run would be deployed: `--cap-drop ALL` plus exactly the
#      `--cap-add` flags that `secwrap explain --format docker` prints for the image's config
#      (run inside the image: its user database knows ecuser), also with `--read-only`, and
#      checks the target's uid/gid and capability lines; shows that no usable place for the
#      native part fails closed (exit 125) and that each added capability is needed.
# Podman runs on a private storage root and private config under .cache/podman (CONTAINERS_CONF,
# CONTAINERS_STORAGE_CONF): the host's podman state and /etc are not touched. Every container
# runs with --rm and --network=none; the images built here are removed at the end (the imported
# base image stays in the private store as a cache; `rm -rf .cache/podman` drops it).
#
# Needs (apt): podman runc debootstrap   (podman brings conmon, buildah's library, catatonit)
# Prints each check, the target's `id` and capability lines, and ends with "N passed, M failed".
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cache="$root/.cache"
state="$cache/podman"
tag="run$$"
BASE=localhost/secwrap-test/bookworm-minbase-cross:latest
IMG_EXAMPLE="localhost/secwrap-test/example:$tag"
IMG_MIN="localhost/secwrap-test/secwrap:$tag"
IMG_MIN_ARM64="localhost/secwrap-test/secwrap-arm64:$tag"
IMG_INSTALL="localhost/secwrap-test/install:$tag"
EXPECT_UID=4242 EXPECT_GID=4242 EXPECT_CAPS=0000000000000400 # cap_net_bind_service

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
no() { fail=$((fail + 1)); echo "not ok - $*"; }
finish() {
  echo "$pass passed, $fail failed"
  [[ $fail -eq 0 ]]
  exit
}

if [[ $(id -u) -ne 0 ]]; then echo "test-image: run as root (rootful podman)" >&2; no "running as root"; finish; fi
missing=()
for c in podman runc debootstrap; do command -v "$c" >/dev/null || missing+=("$c"); done
if ((${#missing[@]})); then
  no "tools present (missing: ${missing[*]}; apt-get install podman runc debootstrap)"
  finish
fi

# --- private podman configuration (the two quirks of these machines fixed here) ---------------
mkdir -p "$state"/{storage,run,tmp,net} "$cache/images"
cat >"$state/containers.conf" <<EOF
[containers]
# The host's hard nofile limit is 20000 and CAP_SYS_RESOURCE is missing: podman's default
# ulimits would fail every run.
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
# crun refuses the hybrid cgroup layout of these machines.
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$state/tmp"
[network]
network_config_dir = "$state/net"
EOF
cat >"$state/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$state/storage"
runroot = "$state/run"
EOF
export CONTAINERS_CONF="$state/containers.conf"
export CONTAINERS_STORAGE_CONF="$state/storage.conf"

cleanup() {
  podman rm -af -t 0 >/dev/null 2>&1
  podman rmi -f "$IMG_EXAMPLE" "$IMG_MIN" "$IMG_MIN_ARM64" "$IMG_INSTALL" >/dev/null 2>&1
  podman image prune -f >/dev/null 2>&1
  [[ -n "${scratch:-}" ]] && rm -rf "$scratch"
}
trap cleanup EXIT
scratch=$(mktemp -d "$cache/test-image.XXXXXX")

# --- 1. host build -------------------------------------------------------------------------------
host="$scratch/host/secwrap" host_arm64="$scratch/host/secwrap-linux-arm64"
if node "$root/scripts/build.mjs" --all --dist "$scratch/host" &&
  [[ $(od -An -tx1 -N4 "$host" | tr -d ' \n') == 7f454c46 && $(od -An -tx1 -N4 "$host_arm64" | tr -d ' \n') == 7f454c46 ]]; then
  ok "host build: the ELF single executables for x64 ($(stat -c %s "$host") bytes) and arm64 ($(stat -c %s "$host_arm64") bytes)"
else
  no "host build of secwrap"
  finish
fi

# --- 2. base image -------------------------------------------------------------------------------
base_tar="$cache/images/bookworm-minbase+libatomic1+binutils+cross-arm64.tar"
if [[ ! -s "$base_tar" ]]; then
  echo "# debootstrap --variant=minbase bookworm (once, cached in $base_tar)"
  rootfs="$cache/images/rootfs.tmp"
  rm -rf "$rootfs"
  if debootstrap --variant=minbase --include=libatomic1,binutils,qemu-user-static,binutils-aarch64-linux-gnu bookworm "$rootfs" \
    "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >"$cache/images/debootstrap.log" 2>&1 &&
    tar --numeric-owner -C "$rootfs" -cf "$base_tar.tmp" . && mv "$base_tar.tmp" "$base_tar"; then
    rm -rf "$rootfs"
  else
    tail -5 "$cache/images/debootstrap.log"
    rm -rf "$rootfs" "$base_tar.tmp"
    no "debootstrap of the base image"
    finish
  fi
fi
if podman image exists "$BASE" || podman import --change 'CMD ["/bin/bash"]' "$base_tar" "$BASE" >/dev/null 2>&1; then
  ok "base image $BASE"
else
  no "podman import of $base_tar"
  finish
fi

# --- 3. build ------------------------------------------------------------------------------------
# BUILDPLATFORM: Debian 12's podman 4.3 (buildah 1.28) sets TARGETARCH from --platform but not
# BUILDPLATFORM; without it the build stage's `FROM --platform=$BUILDPLATFORM` would look for
# an arm64 base image (and find none) instead of running here.
buildplatform=linux/$(podman info --format '{{.Host.Arch}}')
build() { # target image [platform]; the log: $scratch/build-TARGET[-ARCH].log
  podman build --network=none --pull=never -q ${3:+--platform "$3"} --build-arg BUILDPLATFORM="$buildplatform" \
    --build-arg BUILD_BASE="$BASE" --build-arg RUNTIME_BASE="$BASE" \
    --target "$1" -t "$2" -f "$root/Dockerfile" "$root" >"$scratch/build-$1${3:+-${3#*/}}.log" 2>&1
}
for t in example:$IMG_EXAMPLE secwrap:$IMG_MIN install:$IMG_INSTALL; do
  if build "${t%%:*}" "${t#*:}"; then ok "podman build --target ${t%%:*}"; else
    tail -20 "$scratch/build-${t%%:*}.log"
    no "podman build --target ${t%%:*}"
    finish
  fi
done

# The minimal image: exactly one file, /secwrap, byte-identical to the host build.
cid=$(podman create --network=none "$IMG_MIN" /secwrap)
podman export "$cid" >"$scratch/min.tar"
podman rm "$cid" >/dev/null
files=$(tar -tf "$scratch/min.tar" | grep -v '/$' | sort | tr '\n' ' ')
if [[ "$files" == "secwrap " ]]; then ok "minimal image holds only /secwrap"; else no "minimal image holds only /secwrap (has: $files)"; fi
tar -xf "$scratch/min.tar" -C "$scratch" secwrap
if cmp -s "$scratch/secwrap" "$host"; then
  ok "reproducible: the image's /secwrap is byte-identical to the host build ($(sha256sum <"$host" | cut -c1-16))"
else
  no "the image's /secwrap differs from the host build (were sources edited during the test?)"
fi

# The arm64 image: the build stage runs on this machine and cross-builds (the Dockerfile's
# header); the FROM-scratch stage is arm64's. Its /secwrap: the host's arm64 build's bytes.
t0=$SECONDS
if build secwrap "$IMG_MIN_ARM64" linux/arm64; then
  ok "podman build --platform linux/arm64 --target secwrap ($((SECONDS - t0)) s)"
  arch=$(podman image inspect --format '{{.Os}}/{{.Architecture}}' "$IMG_MIN_ARM64")
  if [[ $arch == linux/arm64 ]]; then ok "arm64 image: podman image inspect says $arch"; else no "arm64 image: podman image inspect says $arch, not linux/arm64"; fi
  # podman create only records the container: nothing of the arm64 image runs here.
  cid=$(podman create --network=none "$IMG_MIN_ARM64" /secwrap 2>/dev/null)
  podman export "$cid" >"$scratch/min-arm64.tar"
  podman rm "$cid" >/dev/null
  files=$(tar -tf "$scratch/min-arm64.tar" | grep -v '/$' | sort | tr '\n' ' ')
  mkdir "$scratch/arm64"
  tar -xf "$scratch/min-arm64.tar" -C "$scratch/arm64" secwrap
  if [[ "$files" == "secwrap " ]] && cmp -s "$scratch/arm64/secwrap" "$host_arm64"; then
    ok "arm64 image holds only /secwrap, byte-identical to the host's arm64 build ($(sha256sum <"$host_arm64" | cut -c1-16))"
  else
    no "arm64 image: /secwrap alone and the host's arm64 build's bytes (has: $files)"
  fi
  sysroot=$(bash "$root/scripts/cross/sysroot.sh" arm64)
  out=$(qemu-aarch64-static -L "$sysroot" "$scratch/arm64/secwrap" --version 2>&1)
  # ELF e_machine 183: EM_AARCH64.
  if [[ $(od -An -tx1 -N4 "$scratch/arm64/secwrap" | tr -d ' \n') == 7f454c46 && $(od -An -tu2 -j18 -N2 "$scratch/arm64/secwrap" | tr -d ' ') == 183 &&
    $out == *"$(node -p 'require(process.argv[1]).version' "$root/package.json")" ]]; then
    ok "arm64 image: /secwrap is an aarch64 ELF file; under qemu-aarch64-static: --version prints $out"
  else
    no "arm64 image: /secwrap --version under qemu-aarch64-static: $out"
  fi
else
  tail -20 "$scratch/build-secwrap-arm64.log"
  no "podman build --platform linux/arm64 --target secwrap"
fi

# The install image copies /secwrap into a volume (what the Kubernetes init container does).
mkdir -m 0777 "$scratch/vol"
if podman run --rm --network=none --cap-drop ALL --read-only -v "$scratch/vol:/opt/secwrap" "$IMG_INSTALL" &&
  cmp -s "$scratch/vol/secwrap" "$scratch/secwrap" && [[ -x "$scratch/vol/secwrap" ]]; then
  ok "install image: cp /secwrap /opt/secwrap/secwrap (as the Kubernetes init container)"
else
  no "install image copies /secwrap into the volume"
fi

# --- 3b. the .deb in a minimal container ---------------------------------------------------------
# The release's .deb (dist/release/ when it holds this very executable, as after the release stage
# of npm test; else made here from the host build with scripts/release.mjs --only deb --arch x64) goes into
# the minimal base, offline: libatomic1 is purged first (the base has it for the Dockerfile), so
# dpkg must refuse the .deb alone; the dependencies then come as .deb files from the host's apt
# (its archive cache, else `apt-get download` into .cache/debs), and dpkg -i installs only the
# missing ones with secwrap. Then a drop with the installed /usr/bin/secwrap.
deb=$(ls "$root"/dist/release/secwrap_*_amd64.deb 2>/dev/null | head -1)
if [[ -n "$deb" ]] && dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./usr/bin/secwrap | cmp -s - "$host"; then
  echo "# the .deb: $deb (holds this build)"
else
  deb=""
  if node "$root/scripts/release.mjs" --no-build --dist "$scratch/host" --out "$scratch/deb" --only deb --arch x64 >"$scratch/deb.log" 2>&1; then
    deb=$(ls "$scratch"/deb/secwrap_*_amd64.deb)
    echo "# the .deb: made from the host build ($(stat -c %s "$deb") bytes)"
  else
    tail -5 "$scratch/deb.log"
  fi
fi
debs="$cache/debs"
mkdir -p "$debs" "$scratch/debs"
fetched=1
if [[ -n "$deb" ]]; then
  for p in $(dpkg-deb -f "$deb" Depends | sed 's/([^)]*)//g; s/,/ /g'); do
    v=$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null) || { fetched=0; continue; }
    f="${p}_${v//:/%3a}_amd64.deb"
    if [[ ! -s "$debs/$f" ]]; then
      if [[ -s "/var/cache/apt/archives/$f" ]]; then cp "/var/cache/apt/archives/$f" "$debs/"; else
        (cd "$debs" && apt-get download -q "$p=$v" >/dev/null 2>&1) || { fetched=0; continue; }
      fi
    fi
    cp "$debs/$f" "$scratch/debs/"
  done
fi
if [[ -z "$deb" ]]; then no "the .deb for the container test"; elif [[ $fetched -ne 1 ]]; then
  no "the .deb's dependencies as .deb files (host's apt cache or apt-get download)"
else
  cp "$deb" "$scratch/debs.pkg.deb"
  out=$(podman run --rm --network=none -v "$scratch/debs:/debs:ro" -v "$scratch/debs.pkg.deb:/secwrap.deb:ro" "$BASE" /bin/sh -c '
    set -e
    dpkg --purge libatomic1 >/dev/null 2>&1
    if dpkg -i /secwrap.deb >/dev/null 2>&1; then echo "installed without its dependencies"; exit 1; fi
    echo "dpkg refused the .deb alone: $(dpkg -s secwrap 2>/dev/null | sed -n "s/^Status: //p")"
    set --
    for f in /debs/*.deb; do
      p=$(dpkg-deb -f "$f" Package)
      dpkg -s "$p" 2>/dev/null | grep -q "^Status: install ok installed" || set -- "$@" "$f"
    done
    echo "offline: dpkg -i $* /secwrap.deb" | sed "s|/debs/||g"
    dpkg -i "$@" /secwrap.deb >/dev/null
    dpkg -s secwrap | grep "^Status:"
    useradd -u 4242 -M -d /nonexistent -s /usr/sbin/nologin ecuser
    echo "secwrap --version: $(secwrap --version)"
    secwrap -u ecuser -- /bin/sh -c "id; grep ^Cap /proc/self/status"
  ' 2>&1)
  rc=$?
  sed 's/^/#   /' <<<"$out"
  if [[ $rc -eq 0 && "$out" == *"dpkg refused the .deb alone"* && "$out" == *"install ok installed"* &&
    "$out" == *"uid=4242(ecuser) gid=4242(ecuser)"* && "$out" == *"CapEff:"*"0000000000000000"* ]]; then
    ok "the .deb in a minimal Debian container: refused without libatomic1, installed with its dependencies offline, drops to ecuser"
  else
    no "the .deb in a minimal Debian container (rc=$rc)"
  fi
fi

# --- 4. run --------------------------------------------------------------------------------------
run() { podman run --rm --network=none "$@"; }

# explain checks the plan against the bounding set it runs with: podman's default set here.
flags=$(run --entrypoint /usr/local/bin/secwrap "$IMG_EXAMPLE" \
  explain --format docker -c /etc/ecelerity/ecelerity.conf 2>"$scratch/explain.err")
rc=$?
echo "# explain --format docker: $flags"
# (a config run also plans Momentum's descriptor limit: --ulimit nofile=N:N)
if [[ $rc -eq 0 && "$flags" =~ ^--cap-drop\ ALL(\ --cap-add\ [A-Z_]+)+(\ --ulimit\ [a-z]+=-?[0-9]+:-?[0-9]+)*$ ]]; then
  ok "secwrap explain --format docker prints the docker run flags"
else
  no "secwrap explain --format docker (rc=$rc: $(head -c 300 "$scratch/explain.err"))"
  finish
fi
read -r -a capflags <<<"$flags"
# A --ulimit on podman's command line replaces containers.conf's default_ulimits (this host's
# nproc ceiling among them), so runc would then fail setting nproc: keep that one as configured.
[[ " ${capflags[*]} " == *" --ulimit "* ]] && capflags+=(--ulimit nproc=32768:32768)
added=()
for ((i = 0; i < ${#capflags[@]}; i++)); do
  [[ ${capflags[i]} == --cap-add ]] && added+=("${capflags[i + 1]}")
done

# Checks the output of the example's CMD: id + the Cap*/NoNewPrivs lines of the target.
check_identity() { # label output
  local label=$1 out=$2 bad=() line v
  [[ "$out" == *"uid=$EXPECT_UID(ecuser) gid=$EXPECT_GID(ecuser)"* ]] || bad+=("id")
  for line in CapInh CapPrm CapEff CapAmb; do
    v=$(sed -n "s/^$line:[[:space:]]*//p" <<<"$out")
    [[ "$v" == "$EXPECT_CAPS" ]] || bad+=("$line=$v")
  done
  v=$(sed -n 's/^CapBnd:[[:space:]]*//p' <<<"$out")
  # The bounding set may hold nothing beyond the retained capability.
  if [[ -z "$v" ]] || (((16#$v & ~16#$EXPECT_CAPS) != 0)); then bad+=("CapBnd=$v"); fi
  if ((${#bad[@]} == 0)); then ok "$label: target runs as $EXPECT_UID:$EXPECT_GID with only cap_net_bind_service"; else
    no "$label: wrong identity (${bad[*]})"
  fi
}

out=$(run "${capflags[@]}" "$IMG_EXAMPLE" 2>&1)
rc=$?
echo "# podman run $flags $IMG_EXAMPLE"
sed 's/^/#   /' <<<"$out"
if [[ $rc -eq 0 ]]; then check_identity "--cap-drop ALL + explain's --cap-add" "$out"; else no "example run exited $rc"; fi

out=$(run --read-only "${capflags[@]}" "$IMG_EXAMPLE" 2>&1)
rc=$?
echo "# podman run --read-only $flags $IMG_EXAMPLE"
sed 's/^/#   /' <<<"$out"
if [[ $rc -eq 0 ]]; then check_identity "--read-only" "$out"; else no "--read-only run exited $rc"; fi

# The target never sees the native part: no fd of secwrap's and no mapping of the addon left.
out=$(run --read-only "${capflags[@]}" "$IMG_EXAMPLE" /bin/sh -c 'ls -l /proc/self/fd; cat /proc/self/maps' 2>&1)
if [[ $? -eq 0 && "$out" != *"(deleted)"* && "$out" != *ffi-rs* && "$out" != *"/tmp/#"* ]]; then
  ok "the target has no fd or mapping of the addon's unnamed file"
else
  no "the target inherited something of the addon: $(grep -E 'deleted|ffi|#' <<<"$out" | head -3)"
fi

# No usable place for the addon (/tmp, /var/tmp, /run read-only, /dev/shm noexec): fail closed.
out=$(run --read-only --read-only-tmpfs=false "${capflags[@]}" "$IMG_EXAMPLE" 2>&1)
rc=$?
if [[ $rc -eq 125 && "$out" == *"/dev/shm"* && "$out" == *"/tmp"* && "$out" != *"uid="* ]]; then
  ok "no writable exec-allowed place: exit 125 and the message lists what was tried"
  echo "#   $out"
else
  no "no usable place: expected exit 125 with the tried directories, got rc=$rc: $out"
fi

# Each capability explain asked for is needed: without it secwrap fails and the target never runs.
for cap in "${added[@]}"; do
  fewer=(--cap-drop ALL)
  for c in "${added[@]}"; do [[ $c == "$cap" ]] || fewer+=(--cap-add "$c"); done
  out=$(run --read-only "${fewer[@]}" "$IMG_EXAMPLE" 2>&1)
  rc=$?
  if [[ $rc -ne 0 && "$out" != *"uid=$EXPECT_UID"* ]]; then ok "without $cap: secwrap fails (exit $rc), the target does not run"; else
    no "without $cap: the target still ran (rc=$rc)"
  fi
done

# --- the Docker recipe (examples/docker/), run as Docker runs it ---------------------------------
# The very files: examples/docker/Dockerfile (BASE and SECWRAP pointed at the local images),
# docker-entrypoint.sh (docker-library style: re-runs itself through secwrap as root) and run.sh
# (--read-only --tmpfs /tmp:exec), run.sh calling `docker` through a shim that is podman plus
# --read-only-tmpfs=false: Docker adds no tmpfs of its own under --read-only, podman does.
IMG_DOCKER="localhost/secwrap-test/docker-recipe:$tag"
if podman build --network=none --pull=never -q --build-arg BASE="$BASE" --build-arg SECWRAP="$IMG_MIN" \
  -t "$IMG_DOCKER" -f "$root/examples/docker/Dockerfile" "$root" >"$scratch/build-docker.log" 2>&1; then
  ok "podman build -f examples/docker/Dockerfile"
  mkdir -p "$scratch/docker-shim"
  cat >"$scratch/docker-shim/docker" <<'SHIM'
#!/bin/sh
# docker as far as run.sh needs it: podman, with Docker's read-only behaviour
if [ "$1" = run ]; then shift; exec podman run --read-only-tmpfs=false "$@"; fi
exec podman "$@"
SHIM
  chmod 0755 "$scratch/docker-shim/docker"
  out=$(PATH="$scratch/docker-shim:$PATH" sh "$root/examples/docker/run.sh" "$IMG_DOCKER" 2>&1)
  rc=$?
  echo "# examples/docker/run.sh $IMG_DOCKER (docker = podman --read-only-tmpfs=false)"
  sed 's/^/#   /' <<<"$out"
  if [[ $rc -eq 0 ]]; then check_identity "Docker recipe: docker-entrypoint.sh, --read-only --tmpfs /tmp:exec" "$out"; else
    no "Docker recipe run exited $rc"
  fi
  # Docker's --read-only with no exec-allowed tmpfs: refused, and the message says what to add.
  out=$(run --read-only --read-only-tmpfs=false "${capflags[@]}" "$IMG_DOCKER" 2>&1)
  rc=$?
  if [[ $rc -eq 125 && "$out" == *"--tmpfs /tmp:exec"* && "$out" == *emptyDir* && "$out" != *"uid="* ]]; then
    ok "Docker recipe without --tmpfs /tmp:exec: exit 125, the message names the fix"
  else
    no "Docker recipe without a tmpfs: expected exit 125 naming --tmpfs /tmp:exec, got rc=$rc: $out"
  fi
  # gosu's name in the image: an entrypoint that still says `gosu ecuser ...` gets secwrap.
  out=$(run --read-only-tmpfs=false --read-only --tmpfs /tmp:exec "${capflags[@]}" --entrypoint gosu "$IMG_DOCKER" ecuser id 2>&1)
  if [[ $? -eq 0 && "$out" == "uid=4242(ecuser) gid=4242(ecuser) groups=4242(ecuser)" ]]; then
    ok "gosu -> secwrap in the image: gosu ecuser id"
  else
    no "gosu mode in the image: $out"
  fi
else
  tail -20 "$scratch/build-docker.log"
  no "podman build -f examples/docker/Dockerfile"
fi
podman rmi -f "$IMG_DOCKER" >/dev/null 2>&1

left=$(podman ps -aq | wc -l)
if [[ $left -eq 0 ]]; then ok "no containers left"; else no "$left containers left"; fi
finish
