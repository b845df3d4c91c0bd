#!/usr/bin/env bash
# bad_input.sh INFERGATE CASE — a broken input gets exactly one error line
# on stderr that names the file and the problem, exit code 2, and no crash.
# Cases are built on the fly from the ONNX conformance data (Debian's
# libonnx-testdata): a truncated model, a wrong input shape, a missing
# file, an unknown op.
set -u
ig=$1
case_name=$2
data=/usr/share/libonnx-testdata/data/node
[ -d "$data/test_relu" ] || { echo "SKIP: $data not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
relu=$data/test_relu
case $case_name in
  truncated)
    head -c 40 "$relu/model.onnx" > "$tmp/model.onnx"
    args=(infer -m "$tmp/model.onnx" -i x="$relu/test_data_set_0/input_0.pb" -o "$tmp/out")
    want_file="$tmp/model.onnx"; want_text="truncated or corrupted" ;;
  wrong-shape)
    args=(infer -m "$relu/model.onnx" -i x="$data/test_softmax_example/test_data_set_0/input_0.pb" -o "$tmp/out")
    want_file="$relu/model.onnx"; want_text="expected shape 3x4x5, got 1x3" ;;
  missing-file)
    args=(infer -m "$tmp/nonexistent.onnx" -i x="$relu/test_data_set_0/input_0.pb" -o "$tmp/out")
    want_file="$tmp/nonexistent.onnx"; want_text="cannot open" ;;
  missing-input-file)
    args=(infer -m "$relu/model.onnx" -i x="$tmp/nope.pb" -o "$tmp/out")
    want_file="$tmp/nope.pb"; want_text="cannot open" ;;
  unknown-op)
    # Same-length rename keeps the protobuf valid: Relu -> Rxlu.
    LC_ALL=C sed 's/Relu/Rxlu/g' "$relu/model.onnx" > "$tmp/model.onnx"
    args=(infer -m "$tmp/model.onnx" -i x="$relu/test_data_set_0/input_0.pb" -o "$tmp/out")
    want_file="$tmp/model.onnx"; want_text="unsupported op (no kernel for Rxlu)" ;;
  unknown-flag)
    args=(infer --no-such-flag)
    want_file=""; want_text="" ;;
  unknown-backend)
    args=(infer -b nosuch -m "$relu/model.onnx" -o "$tmp/out")
    want_file=""; want_text="unknown backend 'nosuch'" ;;
  dup-option)
    args=(infer -b reference:threads=1,threads=2 -m "$relu/model.onnx" -o "$tmp/out")
    want_file=""; want_text="option 'threads' is given twice with different values" ;;
  empty-outdir)
    args=(infer -m "$relu/model.onnx" -i x="$relu/test_data_set_0/input_0.pb" -o "")
    want_file=""; want_text="-o needs a folder name" ;;
  bad-limits)
    args=(--limits tensor-bytes=1G,bogus=2 infer -m "$relu/model.onnx" -o "$tmp/out")
    want_file=""; want_text="--limits 'tensor-bytes=1G,bogus=2': expected" ;;
  run-unknown-flag)
    args=(run --frobnicate)
    want_file=""; want_text="" ;;
  run-bad-model)
    head -c 40 "$relu/model.onnx" > "$tmp/model.onnx"
    args=(run -b reference -m "$tmp/model.onnx" -o "$tmp/out")
    want_file="$tmp/model.onnx"; want_text="truncated or corrupted" ;;
  run-unknown-suite)
    args=(run -b reference -m "$relu" --suite nosuch -o "$tmp/out")
    want_file=""; want_text="unknown suite 'nosuch'" ;;
  run-bad-cpus)
    args=(run -b reference -m "$relu" --cpus 0-9999 -o "$tmp/out")
    want_file=""; want_text="--cpus 0-9999" ;;
  *) echo "unknown case $case_name"; exit 1 ;;
esac
"$ig" "${args[@]}" > "$tmp/stdout" 2> "$tmp/stderr"
rc=$?
echo "exit $rc; stderr:"; cat "$tmp/stderr"
fail=0
[ "$rc" -eq 2 ] || { echo "FAIL: exit code $rc, expected 2"; fail=1; }
if [ "$case_name" != unknown-flag ] && [ "$case_name" != run-unknown-flag ]; then
  n=$(wc -l < "$tmp/stderr")
  [ "$n" -eq 1 ] || { echo "FAIL: $n stderr lines, expected 1"; fail=1; }
fi
if [ -n "$want_file" ]; then
  grep -qF -- "$want_file" "$tmp/stderr" || { echo "FAIL: message does not name $want_file"; fail=1; }
fi
if [ -n "$want_text" ]; then
  grep -qF -- "$want_text" "$tmp/stderr" || { echo "FAIL: message lacks '$want_text'"; fail=1; }
fi
exit $fail
