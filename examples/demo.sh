#!/usr/bin/env bash
# npm start: the demo. Reads examples/ecelerity.conf, explains the plan, then (as root) really
# drops to nobody/nogroup keeping cap_net_bind_service and execs a shell that shows the result.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secwrap="$root/dist/secwrap"
conf="$root/examples/ecelerity.conf"
[[ -x $secwrap ]] || { echo "demo: $secwrap is missing: run npm install" >&2; exit 1; }

decode() { if command -v capsh >/dev/null; then capsh --decode="$1" | sed 's/^0x[0-9a-f]*=//'; else echo "0x$1"; fi; }

if [[ $(id -u) -eq 0 ]]; then
  # As root, secwrap obeys only a config whose every folder on the way is root's and not writable
  # by others; a checkout under /tmp or a user's home is not. The demo copies the example into a
  # private root-owned folder under /run and removes it afterwards.
  demo_dir=$(mktemp -d /run/secwrap-demo.XXXXXX)
  trap 'rm -rf "$demo_dir"' EXIT
  install -m 0644 "$conf" "$demo_dir/ecelerity.conf"
  conf=$demo_dir/ecelerity.conf
fi

echo "== before: $(id)"
echo "   effective capabilities: $(decode "$(awk '/^CapEff/ {print $2}' /proc/self/status)")"
echo
echo "== secwrap explain -c examples/ecelerity.conf"
"$secwrap" explain -c "$conf" -- sh
echo
if [[ $(id -u) -ne 0 ]]; then
  echo "== not root: the real drop needs root (sudo npm start). The plan above is what it would do."
  exit 0
fi
echo "== secwrap -c ecelerity.conf -- sh -c '…'   (the same PID becomes the shell)"
export SECWRAP_DEMO_DECODE_CAPSH="$(command -v capsh || true)"
sh -c 'echo "   secwrap'"'"'s PID: $$"; exec "$@"' sh "$secwrap" -c "$conf" -- sh -c '
  echo "== after:  $(id)"
  for set in CapPrm CapEff CapAmb CapBnd; do
    hex=$(awk -v s="$set:" "\$1 == s {print \$2}" /proc/self/status)
    if [ -n "$SECWRAP_DEMO_DECODE_CAPSH" ]; then names=$("$SECWRAP_DEMO_DECODE_CAPSH" --decode="$hex" | sed "s/^0x[0-9a-f]*=//"); else names=0x$hex; fi
    echo "   $set: ${names:-none}"
  done
  echo "   PID: $$, HOME=$HOME USER=$USER"'
