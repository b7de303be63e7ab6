#!/bin/sh
# Run an image whose entrypoint drops through secwrap with the least the container needs: every
# capability dropped but those secwrap uses to switch identity (SETUID, SETGID, SETPCAP) and the
# one the config keeps for the target (NET_BIND_SERVICE). The flags are what
#   secwrap explain --format docker -c /etc/ecelerity/ecelerity.conf
# prints for the example's config (test/bats/ship.bats checks they match).
# --read-only --tmpfs /tmp:exec: secwrap needs one root-owned, exec-allowed place for the unnamed
# copy of its native part. Docker adds no tmpfs of its own under --read-only (podman does, unless
# --read-only-tmpfs=false), and Docker's --tmpfs is noexec unless told: hence ":exec".
set -eu
image=${1:-secwrap-example:0.1.0}
exec docker run --rm --network=none --read-only --tmpfs /tmp:exec \
  --cap-drop ALL --cap-add SETGID --cap-add SETUID --cap-add SETPCAP --cap-add NET_BIND_SERVICE \
  "$image"
