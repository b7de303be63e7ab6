#!/usr/bin/env bash
# Unit tests: type-check and compile everything with tsc, then Node's test runner.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json
mapfile -t files < <(find build/test/unit -name '*.test.js' | sort)
exec node --test --test-reporter=tap "${files[@]}"
