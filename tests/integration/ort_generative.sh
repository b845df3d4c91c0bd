#!/usr/bin/env bash
# ort_generative.sh SRC FIXTURES — runs ort_generative.js (ctest:
# ort.generative) with the onnxruntime-node package scripts/ort-bench
# installs: the same pinned version and cache folder (IG_ORT_CACHE).
# This test never installs it: where node or the package is absent it
# prints "SKIP: ..." and exits 77 (ort.bench, or one run of
# scripts/ort-bench, installs it).
set -u
src=$1 fixtures=$2
command -v node >/dev/null 2>&1 || { echo "SKIP: node not found"; exit 77; }
version=$(sed -n 's/^ORT_VERSION=//p' "$src/scripts/ort-bench")
[ -n "$version" ] || { echo "FAIL: no ORT_VERSION in $src/scripts/ort-bench"; exit 1; }
cache=${IG_ORT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/infergate/onnxruntime-node-$version}
mod=$cache/node_modules/onnxruntime-node
[ -f "$mod/package.json" ] ||
    { echo "SKIP: onnxruntime-node $version not installed in $cache (scripts/ort-bench installs it)"; exit 77; }
exec node "$src/tests/integration/ort_generative.js" "$mod" "$fixtures"
