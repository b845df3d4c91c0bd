#!/usr/bin/env bash
# ort_generative.sh SRC FIXTURES — runs ort_generative.js (ctest:
# ort.generative) with the onnxruntime-node package scripts/ort-bench
# installs: the same pinned version and cache folder (IG_ORT_CACHE).
# This test never installs it: where node or the package is absent it
# prints "SKIP: ..." and exits 77 (ort.bench, or one run of
# scripts/ort-bench, installs it).
set -u
src=$1 fixtures=$2
. "$src/tests/integration/ort_module.sh"
exec node "$src/tests/integration/ort_generative.js" "$mod" "$fixtures"
