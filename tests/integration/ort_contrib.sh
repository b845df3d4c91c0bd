#!/usr/bin/env bash
# ort_contrib.sh CASES INFERGATE SRC OUT — the contrib kernels against ONNX
# Runtime (ctest: ort.contrib).  CASES (ig-contrib-cases) writes one-node
# models with the reference's outputs as goldens; scripts/ort-bench runs
# them on onnxruntime-node and checks its outputs against the goldens with
# atol 1e-4 (and rtol 1e-4).  Exit 0 pass, 1 fail, 77 skipped: node, npm
# or the package is not usable here (the message says which).
set -u
cases=$1 ig=$2 src=$3 out=$4
rm -rf "$out"
mkdir -p "$out"
"$cases" "$out/cases" >"$out/cases.log" 2>&1 || { cat "$out/cases.log"; echo "FAIL: ig-contrib-cases exited $?"; exit 1; }
models=()
for d in "$out"/cases/*/; do
    models+=(-m "${d%/}")
done
"$src/scripts/ort-bench" "${models[@]}" --samples 1 --rtol 1e-4 --atol 1e-4 \
    --infergate "$ig" -o "$out/ort" >"$out/ort.log" 2>&1
rc=$?
cat "$out/ort.log"
if [ $rc -eq 4 ]; then
    echo "SKIP: $(grep -o 'SKIP: .*' "$out/ort.log" | head -1 | cut -c7-)"
    exit 77
fi
[ $rc -eq 0 ] || { echo "FAIL: ort-bench exited $rc (a case ONNX Runtime disagrees with or refused)"; exit 1; }
echo "PASS: $((${#models[@]} / 2)) contrib cases agree with ONNX Runtime"
