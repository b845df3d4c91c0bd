#!/usr/bin/env bash
# ort_variants.sh SRC FIXTURES INFERGATE OUT — runs ort_variants.js
# (ctest: ort.variants) after `infergate run -b reference --suite parity`
# on every compressed fixture variant, whose results.csv holds the
# tolerances the lab derived per output.  The onnxruntime-node package is
# the one scripts/ort-bench installs (same pinned version and cache
# folder, IG_ORT_CACHE); this test never installs it: where node or the
# package is absent it prints "SKIP: ..." and exits 77.
set -u
src=$1 fixtures=$2 ig=$3 out=$4
. "$src/tests/integration/ort_module.sh"
rm -rf "$out"
models=$("$ig" list --fixtures "$fixtures" | sed -n '/^fixtures/,$p' | awk 'NR > 1 && $1 ~ /@/ {print "-m " $1}')
[ -n "$models" ] || { echo "FAIL: no variants listed"; exit 1; }
# shellcheck disable=SC2086
IG_FIXTURES=$fixtures "$ig" run --no-progress -b reference $models --suite parity -o "$out" \
    >"$out.log" 2>&1 || { cat "$out.log"; echo "FAIL: infergate run exited $?"; exit 1; }
exec node "$src/tests/integration/ort_variants.js" "$mod" "$fixtures" "$out/results.csv"
