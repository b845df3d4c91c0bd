#!/usr/bin/env bash
# run.sh FUZZER NAME SECONDS FUZZDIR FIXTURESDIR — one bounded libFuzzer
# run of harness NAME (ctest's fuzz.run.NAME; docs/fuzzing.md).
#
# The corpus starts from tests/fuzz/corpus/NAME, every past crasher in
# tests/fuzz/crashers/NAME, and what the machine has of the inputs the
# harness parses: the built-in fixtures and Debian's ONNX test data
# (libonnx-testdata), small files only.  It lives in a temporary folder,
# or in $IG_FUZZ_CORPUS/NAME when that is set, so long runs can build on
# each other.  A finding fails the test and leaves the input in
# $IG_FUZZ_ARTIFACTS (default: the build's fuzz-findings/ folder).
# $IG_FUZZ_TIMEOUT (default 10) is the seconds one input may take: a long
# run at low priority on a loaded machine can stretch a 0.5 s input past
# 10 s, which libFuzzer reports as a hang.
set -u
fuzzer=$1 name=$2 secs=$3 fdir=$4 fixtures=$5
[ -x "$fuzzer" ] || { echo "SKIP: $fuzzer not built"; exit 77; }
src=$(cd "$fdir/../.." && pwd)
onnxdata=/usr/share/libonnx-testdata/data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -n "${IG_FUZZ_CORPUS:-}" ]; then
  corpus=$IG_FUZZ_CORPUS/$name
else
  corpus=$tmp/corpus
fi
seeds=$tmp/seeds
mkdir -p "$corpus" "$seeds"
add() { # add FILE...: small files into the seed folder, named by content
  for f in "$@"; do
    [ -f "$f" ] || continue
    [ "$(stat -c %s "$f")" -le 65536 ] || continue
    cp "$f" "$seeds/$(cksum < "$f" | tr -c '0-9\n' _ | head -c 24)"
  done
}
add "$fdir/corpus/$name"/* "$fdir/crashers/$name"/*
case $name in
  onnx)
    add "$src"/tests/data/hostile/*/model.onnx "$src"/tests/data/onnx-recent/*/model.onnx
    add "$fixtures"/*/model.onnx "$fixtures"/*.onnx
    [ -d "$onnxdata" ] && add $(ls -d "$onnxdata"/node/*/model.onnx | awk 'NR % 3 == 0') ;;
  tensor)
    add "$src"/tests/data/hostile/*/input_0.pb
    [ -d "$onnxdata" ] && add $(ls -d "$onnxdata"/node/*/test_data_set_0/input_0.pb | awk 'NR % 5 == 0') ;;
  gates)
    add "$src"/gates/*.json ;;
  manifest)
    add "$src"/fixtures/manifest.json "$fixtures"/manifest.json ;;
  results|report)
    add "$src"/tests/data/run-*/run.json ;;
esac
artifacts=${IG_FUZZ_ARTIFACTS:-$(dirname "$fuzzer")/fuzz-findings}
mkdir -p "$artifacts"
echo "fuzz-$name: $(ls "$seeds" | wc -l) seeds, $(ls "$corpus" | wc -l) corpus inputs, ${secs}s"
"$fuzzer" -max_total_time="$secs" -timeout="${IG_FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 -max_len=131072 \
  -print_final_stats=1 -artifact_prefix="$artifacts/$name-" "$corpus" "$seeds" 2>&1 |
  grep -v '^#[0-9]*.*\(NEW\|REDUCE\|pulse\)' | tail -40
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then
  echo "FAIL: fuzz-$name found an input it crashes, hangs or leaks on (exit $rc):"
  ls -t "$artifacts" | head -3
  echo "Keep it as tests/fuzz/crashers/$name/<short-name> once fixed."
fi
exit "$rc"
