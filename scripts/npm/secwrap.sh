#!/bin/sh
# secwrap, as installed by npm: exec the single executable of the platform package
# (@secwrap/linux-x64, found as Node would find it: in node_modules folders from here up).
#
# A shell script and not a JavaScript `bin`: a `bin` run by node would honour NODE_OPTIONS,
# OPENSSL_CONF and the other NODE_* variables, and a `--require` preload would run as root
# before any of secwrap's code. The single executable ignores them (execArgvExtension "none",
# --openssl-config=/dev/null) and passes them on to the command untouched; a non-interactive
# sh reads no startup file from the environment. `exec` keeps the PID, as secwrap promises.
self=$(PATH=/usr/bin:/bin readlink -f -- "$0" 2>/dev/null) || self=$0
d=${self%/*}
d=${d%/*}
while :; do
  exe=$d/node_modules/@secwrap/linux-x64/bin/secwrap
  if [ -f "$exe" ] && [ -x "$exe" ]; then exec "$exe" "$@"; fi
  case $d in */*) d=${d%/*} ;; *) break ;; esac
done
echo "secwrap: the executable is missing: the npm package @secwrap/linux-x64 was not installed next to secwrap (installed with --omit=optional, or --no-optional?); reinstall secwrap" >&2
exit 125
