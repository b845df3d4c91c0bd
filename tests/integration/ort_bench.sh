#!/usr/bin/env bash
# ort_bench.sh INFERGATE SRC FIXTURES OUT — scripts/ort-bench end to end
# (ctest: ort.bench).  ONNX Runtime measures two small fixtures with a few
# samples; its results directory must pass parity against the golden
# files and be read by `infergate report`, `compare`, `matrix` and
# `bench --ort`.  Exit 0 pass, 1 fail, 77 skipped: node, npm or the
# onnxruntime-node package is not usable here (the message says which).
# The package is installed on first use into ~/.cache (IG_ORT_CACHE), so
# a fresh clone on the same machine reuses it.
set -u
ig=$1 src=$2 fixtures=$3 out=$4
rm -rf "$out"
mkdir -p "$out"
export IG_FIXTURES=$fixtures
fail() { echo "FAIL: $*"; exit 1; }

"$src/scripts/ort-bench" -m mlp-intent -m encoder-mini --samples 40 \
    --infergate "$ig" -o "$out/ort" >"$out/ort.log" 2>&1
rc=$?
cat "$out/ort.log"
if [ $rc -eq 4 ]; then
    echo "SKIP: $(grep -o 'SKIP: .*' "$out/ort.log" | head -1 | cut -c7-)"
    exit 77
fi
[ $rc -eq 0 ] || fail "ort-bench exited $rc"
for f in run.json results.csv samples/onnxruntime.mlp-intent.latency.csv \
         samples/onnxruntime.encoder-mini.latency.csv; do
    [ -s "$out/ort/$f" ] || fail "ort-bench wrote no $f"
done
n=$(($(wc -l <"$out/ort/samples/onnxruntime.encoder-mini.latency.csv") - 1))
[ "$n" -eq 40 ] || fail "$n samples for encoder-mini, asked for 40"

# The report reads it: both models' parity against the goldens passed.
"$ig" report "$out/ort" --no-plots --quiet || fail "report exited $?"
md=$out/ort/report/report.md
grep -q '| mlp-intent | onnxruntime | probs | golden |.*| PASS |' "$md" ||
    fail "report.md has no passing golden parity row for mlp-intent"
grep -q '| encoder-mini | onnxruntime | embedding | golden |.*| PASS |' "$md" ||
    fail "report.md has no passing golden parity row for encoder-mini"

# compare sets a lab run beside it (exit 0 or 1: a verdict, not an error).
"$ig" run -b reference -m mlp-intent -m encoder-mini --suite latency --samples 40 \
    -o "$out/lab" --no-progress >"$out/lab.log" 2>&1 || fail "infergate run exited $?"
"$ig" compare "$out/lab" "$out/ort" --pair reference=onnxruntime --md "$out/compare.md" \
    --quiet
rc=$?
[ $rc -le 1 ] || fail "compare exited $rc"
for m in mlp-intent encoder-mini; do
    grep -q "| $m | reference → onnxruntime | latency | p50 |" "$out/compare.md" ||
        fail "compare.md has no p50 row for $m"
done

"$ig" matrix "$out/lab" "$out/ort" -o "$out/matrix" --label-from dir --no-plots --quiet ||
    fail "matrix exited $?"
grep -q '^| onnxruntime |' "$out/matrix/matrix.md" || fail "matrix.md has no onnxruntime row"

# bench --ort: the ratio per model, at the thread count the run recorded.
"$ig" bench -m mlp-intent -m encoder-mini -b reference --samples 8 --ort "$out/ort" \
    >"$out/bench.log" 2>&1 || fail "bench --ort exited $?"
cat "$out/bench.log"
grep -q '^ONNX Runtime side by side (.*1 thread intra-op' "$out/bench.log" ||
    fail "bench printed no ONNX Runtime section with its thread count"
for m in mlp-intent encoder-mini; do
    grep -Eq "^  INFO $m: reference p50 [0-9.]+ ms / onnxruntime p50 [0-9.]+ ms = [0-9.]+x" \
        "$out/bench.log" || fail "bench printed no ratio for $m"
done
"$ig" bench -m mlp-intent -b reference --samples 2 --ort "$out/lab" >/dev/null 2>&1
[ $? -eq 2 ] || fail "bench --ort on a directory without onnxruntime cells did not exit 2"
echo "PASS: ort-bench results read by report, compare, matrix and bench --ort"
