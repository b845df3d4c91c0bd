#!/usr/bin/env bash
# compress_gates.sh — the compression lab's two questions kept apart
# (issue 17): a deliberately broken quantization (activation scales from
# a 51st-percentile calibration, so activations saturate) fails fidelity
# while openblas computes it correctly (parity PASS); a faulty wrong
# backend fails parity on a sound variant whose fidelity passes.
#   compress_gates.sh INFERGATE FIXTURES OUTDIR GATES_CHECK_CMAKE
set -euo pipefail
ig=$1 fx=$2 out=$3 check=$4
export IG_FIXTURES=$fx
rm -rf "$out" && mkdir -p "$out/broken/test_data_set_0"
"$ig" compress "$fx/mlp-intent/model.onnx" --to int8-static --calib-method percentile:51 \
  -o "$out/broken/model.onnx" >"$out/compress.log"
# Inputs only: the correctness question compares the backend with the
# reference on the broken model itself, never with fp32 goldens.
cp "$fx/mlp-intent/test_data_set_0/input_0.pb" "$out/broken/test_data_set_0/"
printf '{"models": [{"name": "broken", "variant_of": "mlp-intent", "scheme": "int8-static", %s}]}\n' \
  '"task": "intent-classification"' \
  >"$out/manifest.json"
set +e
"$ig" run --no-progress --gates C --profile ci -b openblas:threads=1 \
  -b 'faulty:base=openblas,mode=wrong' -m mlp-intent -m "$out/broken" \
  -m mlp-intent@int8-dynamic --manifest "$out/manifest.json" -o "$out/run" >"$out/run.log" 2>&1
rc=$?
set -e
[ $rc = 1 ] || { cat "$out/run.log"; echo "FAIL: exit $rc, expected 1"; exit 1; }
# gates_check.cmake, one model at a time (-DMODEL).
expect_model() {
  cmake "-DDIR=$out/run" "-DMODEL=$1" "-DEXPECT=$2" -P "$check"
}
expect_model broken "parity_linf@^openblas:threads=1=PASS;fidelity_cosine@^openblas:threads=1=FAIL;fidelity_top1@^openblas:threads=1=FAIL"
expect_model mlp-intent@int8-dynamic "fidelity_cosine@mode=wrong=PASS;fidelity_top1@mode=wrong=PASS;parity_linf@mode=wrong=FAIL;parity_linf@^openblas:threads=1=PASS;dispatch@^openblas:threads=1=FAIL"
echo PASS
