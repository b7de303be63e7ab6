#!/usr/bin/env bash
# npm start: the demo. Reads examples/ecelerity.conf, explains the plan, then (as root) really
# drops to nobody/nogroup keeping cap_net_bind_service and execs a shell that shows the result.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secwrap="$root/dist/secwrap"
conf="$root/examples/ecelerity.conf"
[[ -x $secwrap ]] || { echo "demo: $secwrap is missing: run npm install" >&2; exit 1; }

decode() { if command -v capsh >/dev/null; then capsh --decode="$1" | sed 's/^0x[0-9a-f]*=//'; else echo "0x$1"; fi; }

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
echo "== secwrap -c examples/ecelerity.conf -- sh -c '…'   (the same PID becomes the shell)"
echo "   secwrap's PID: $$ (this script execs it below)"
export SECWRAP_DEMO_DECODE_CAPSH="$(command -v capsh || true)"
exec "$secwrap" -c "$conf" -- sh -c '
  echo "== after:  $(id)"
  for set in CapPrm CapEff CapAmb CapBnd; do
    hex=$(awk -v s="$set:" "\$1 == s {print \$2}" /proc/self/status)
    if [ -n "$SECWRAP_DEMO_DECODE_CAPSH" ]; then names=$("$SECWRAP_DEMO_DECODE_CAPSH" --decode="$hex" | sed "s/^0x[0-9a-f]*=//"); else names=0x$hex; fi
    echo "   $set: ${names:-none}"
  done
  echo "   PID: $$, HOME=$HOME USER=$USER"'
