#!/bin/sh
# A docker-library style entrypoint (as postgres', redis' and mongo's call gosu): started as
# root, it re-runs itself through secwrap as the config's user, with the config's capabilities;
# the second time it is not root and execs the command. Switching from gosu is the one line:
#   exec gosu ecuser "$0" "$@"   ->   exec secwrap -c /etc/ecelerity/ecelerity.conf -- "$0" "$@"
# (or keep `exec gosu ecuser "$0" "$@"` with gosu a symlink to secwrap).
set -e
if [ "$(id -u)" = 0 ]; then
  exec secwrap -c /etc/ecelerity/ecelerity.conf -- "$0" "$@"
fi
exec "$@"
