#!/bin/sh
# secwrap, as installed by npm: exec the single executable of the platform package for this
# machine (@secwrap/linux-x64 or @secwrap/linux-arm64, chosen by `uname -m`; found as Node would
# find it: in node_modules folders from here up).
#
# A shell script and not a JavaScript `bin`: a `bin` run by node would honour NODE_OPTIONS,
# OPENSSL_CONF and the other NODE_* variables, and a `--require` preload would run as root
# before any of secwrap's code. The single executable ignores them (execArgvExtension "none",
# --openssl-config=/dev/null) and passes them on to the command untouched; a non-interactive
# sh reads no startup file from the environment. `exec` keeps the PID, as secwrap promises.
#
# The machine, not whatever package happens to be there: npm installs the platform package
# whose os/cpu/libc match (npm's own idea of the CPU, which `npm install --cpu=` can change), and
# an executable for another CPU would only fail with "Exec format error". The two names are the
# kernel's for the machines secwrap ships for; uname runs from the system's folders, like
# readlink, not from the caller's PATH.
machine=$(PATH=/usr/bin:/bin uname -m 2>/dev/null)
case $machine in
  x86_64) pkg=@secwrap/linux-x64 ;;
  aarch64 | arm64) pkg=@secwrap/linux-arm64 ;;
  *)
    echo "secwrap: no executable for this machine (${machine:-unknown}): secwrap ships for Linux x86_64 and aarch64 with glibc" >&2
    exit 125
    ;;
esac
self=$(PATH=/usr/bin:/bin readlink -f -- "$0" 2>/dev/null) || self=$0
d=${self%/*}
d=${d%/*}
while :; do
  exe=$d/node_modules/$pkg/bin/secwrap
  if [ -f "$exe" ] && [ -x "$exe" ]; then exec "$exe" "$@"; fi
  case $d in */*) d=${d%/*} ;; *) break ;; esac
done
echo "secwrap: the executable is missing: the npm package $pkg was not installed next to secwrap (installed with --omit=optional, or --no-optional?); reinstall secwrap" >&2
exit 125
