#!/usr/bin/env bash
# compress.sh INFERGATE FIXTURES CASE — `infergate compress` as a user runs it.
#
# scheme-S: compress mlp-intent with scheme S, run the variant with
#   `infergate infer -b reference`, then hold it to the fp32 original's
#   goldens through `infergate conformance` with the scheme's fidelity
#   tolerance (the compression's cost on this model, docs/compress.md);
#   a broken quantisation (wrong scale, lost weight) lands far outside it.
# bad-*: one error line on stderr naming the file or option, exit 2, no
#   crash, and an existing OUT left as it was.
set -u
ig=$1
fx=$2
case_name=$3
base=$fx/mlp-intent
[ -f "$base/model.onnx" ] || { echo "SKIP: $base not generated"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

scheme_case() { # scheme atol [extra compress args]
  local s=$1 atol=$2
  mkdir -p "$tmp/case"
  shift 2
  "$ig" compress "$base/model.onnx" --to "$s" -o "$tmp/case/model.onnx" "$@" \
      >"$tmp/out" 2>"$tmp/err" || fail "compress exit $?: $(cat "$tmp/err")"
  grep -q "nodes rewritten, [0-9]* -> [0-9]* bytes" "$tmp/out" || fail "no summary line: $(cat "$tmp/out")"
  local before after
  before=$(stat -c %s "$base/model.onnx")
  after=$(stat -c %s "$tmp/case/model.onnx")
  grep -q -- "$before -> $after bytes" "$tmp/out" || fail "summary sizes are not the files' ($before, $after): $(cat "$tmp/out")"
  [ "$after" -lt "$before" ] || fail "variant ($after bytes) not smaller than the original ($before)"
  "$ig" infer -b reference -m "$tmp/case/model.onnx" -i x="$base/test_data_set_0/input_0.pb" \
      -o "$tmp/infer" >"$tmp/iout" 2>&1 || fail "infer: $(cat "$tmp/iout")"
  [ -s "$tmp/infer/probs.pb" ] || fail "infer wrote no probs.pb"
  # Fidelity: the variant against the fp32 original's goldens.
  cp -r "$base/test_data_set_0" "$tmp/case/"
  "$ig" conformance -b reference --rtol 0 --atol "$atol" "$tmp/case" >"$tmp/conf" 2>&1 ||
      fail "fidelity beyond atol $atol: $(cat "$tmp/conf")"
  cat "$tmp/out" "$tmp/conf"
}

bad_case() { # want_text -- args...
  local want=$1
  shift
  echo "previous result" > "$tmp/keep.onnx"
  "$ig" "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  [ "$rc" -eq 2 ] || fail "exit $rc, expected 2: $(cat "$tmp/err")"
  [ "$(wc -l < "$tmp/err")" -eq 1 ] || fail "expected one error line, got: $(cat "$tmp/err")"
  grep -qF -- "$want" "$tmp/err" || fail "error does not say '$want': $(cat "$tmp/err")"
  [ "$(cat "$tmp/keep.onnx")" = "previous result" ] || fail "OUT was overwritten"
  cat "$tmp/err"
}

case $case_name in
  scheme-fp16) scheme_case fp16 1e-3 ;;
  scheme-bf16) scheme_case bf16 5e-3 ;;
  scheme-int8-static) scheme_case int8-static 2e-2 --calib "$base" ;;
  scheme-int8-static-percentile)
    scheme_case int8-static 2e-2 --calib "$base" --calib-method percentile:99.9 ;;
  scheme-int8-dynamic) scheme_case int8-dynamic 2e-2 ;;
  scheme-int4-weight) scheme_case int4-weight 1e-1 --block 16 ;;
  scheme-palette-4) scheme_case palette:4 1e-1 ;;
  scheme-palette-8-per-channel) scheme_case palette:8 1e-2 --per-channel --group 8 ;;
  int4-matmulnbits)
    # ONNX Runtime's contrib form, run by the reference's contrib kernel:
    # it holds MatMulNBits in the com.microsoft domain, and its answers are
    # as close to fp32 as the standard form's.
    scheme_case int4-weight 1e-1 --form matmulnbits --block 16
    grep -q "MatMulNBits" "$tmp/case/model.onnx" || fail "no MatMulNBits node in the file"
    grep -q "com.microsoft" "$tmp/case/model.onnx" || fail "no com.microsoft import" ;;
  bad-scheme) bad_case "unknown scheme 'int3'" compress "$base/model.onnx" --to int3 -o "$tmp/keep.onnx" ;;
  bad-missing-out) bad_case "-o OUT are required" compress "$base/model.onnx" --to fp16 ;;
  bad-unreadable-model) bad_case "$tmp/nope.onnx" compress "$tmp/nope.onnx" --to fp16 -o "$tmp/keep.onnx" ;;
  bad-malformed-model)
    head -c 100 "$base/model.onnx" > "$tmp/trunc.onnx"
    bad_case "$tmp/trunc.onnx" compress "$tmp/trunc.onnx" --to fp16 -o "$tmp/keep.onnx" ;;
  bad-block) bad_case "--block 48: expected a power of two" compress "$base/model.onnx" --to int4-weight --block 48 -o "$tmp/keep.onnx" ;;
  bad-block-text) bad_case "--block 'x1'" compress "$base/model.onnx" --to int4-weight --block x1 -o "$tmp/keep.onnx" ;;
  bad-flag) bad_case "--frobnicate" compress "$base/model.onnx" --frobnicate ;;
  bad-calib-dir) bad_case "$tmp/nodir" compress "$base/model.onnx" --to int8-static --calib "$tmp/nodir" -o "$tmp/keep.onnx" ;;
  bad-no-calib)
    cp "$base/model.onnx" "$tmp/alone.onnx"
    bad_case "needs calibration inputs" compress "$tmp/alone.onnx" --to int8-static -o "$tmp/keep.onnx" ;;
  bad-calib-method) bad_case "--calib-method median" compress "$base/model.onnx" --to int8-static --calib-method median -o "$tmp/keep.onnx" ;;
  *) fail "unknown case $case_name" ;;
esac
exit 0
