#!/usr/bin/env bash
# hostile_json.sh INFERGATE SRCDIR CASE — a gate specification (--gates-file)
# or a model manifest (--manifest) that is valid JSON but not a valid one: wrong root, values that do not
# fit their field, non-finite or meaningless zero thresholds, a baseline
# that names no backend.  Each is made from gates/default.json by one sed
# substitution; the run must stop at once with exit 2 and one line that
# names the file and the key.  The past crashers of the gates fuzz
# harness (tests/fuzz/crashers/gates) are cases too.
set -u
ig=$1 src=$2 case_name=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
f=$tmp/gates.json
sub() { sed "s/$1/$2/" "$src/gates/default.json" > "$f"
        cmp -s "$f" "$src/gates/default.json" && { echo "substitution '$1' matched nothing"; exit 1; }; }
case $case_name in
  infinity) sub '"timeout_ms": [0-9.]*' '"timeout_ms": Infinity'; want="B.timeout_ms: expected" ;;
  nan) sub '"flaky_pct": [0-9.]*' '"flaky_pct": NaN'; want="B.flaky_pct: expected" ;;
  smoke-calls-wraps) sub '"smoke_calls": [0-9]*' '"smoke_calls": 2147483653'; want="B.smoke_calls: expected" ;;
  threads-wraps) sub '"concurrency_threads": [0-9]*' '"concurrency_threads": 4294967299'; want="D.concurrency_threads: expected" ;;
  cycles-huge) sub '"cycles": [0-9]*' '"cycles": 18446744073709551615'; want="A.cycles: expected" ;;
  breaker-window-zero) sub '"breaker_window": [0-9]*' '"breaker_window": 0'; want="B.breaker_window: must be above 0" ;;
  soak-window-zero) sub '"soak_window_s": [0-9.]*' '"soak_window_s": 0'; want="D.soak_window_s: must be above 0" ;;
  baseline-unknown) sub '"baseline": "[a-z]*"' '"baseline": "nosuch"'; want="gates.C.baseline: 'nosuch' is not a backend" ;;
  trailing) cp "$src/gates/default.json" "$f"; echo '{}' >> "$f"; want="text after the JSON value" ;;
  manifest-infinity|manifest-root-array)
    # A --manifest for a model folder named "add".
    mkdir -p "$tmp/add"; cp "$src/tests/fuzz/corpus/onnx/add-relu.onnx" "$tmp/add/model.onnx"
    if [ "$case_name" = manifest-infinity ]; then
      echo '{"models": [{"name": "add", "tolerance": {"rtol": Infinity}}]}' > "$f"
      want="models[0].tolerance.rtol: expected a non-negative number"
    else
      echo '[{"name": "add"}]' > "$f"; want="the root is array, expected an object"
    fi ;;
  crasher-*)
    cp "$src/tests/fuzz/crashers/gates/${case_name#crasher-}" "$f"
    want="" ;;
  *) echo "unknown case $case_name"; exit 1 ;;
esac
case $case_name in
  manifest-*) args=(run -b reference -m "$tmp/add" --manifest "$f" -o "$tmp/out") ;;
  *) args=(run -b reference -m "$src/tests/fuzz/corpus/onnx/add-relu.onnx" --gates B
           --gates-file "$f" -o "$tmp/out") ;;
esac
"$ig" "${args[@]}" > "$tmp/stdout" 2> "$tmp/stderr"
rc=$?
echo "exit $rc; stderr:"; cat "$tmp/stderr"
fail=0
[ "$rc" -eq 2 ] || { echo "FAIL: exit code $rc, expected 2"; fail=1; }
n=$(wc -l < "$tmp/stderr")
[ "$n" -eq 1 ] || { echo "FAIL: $n stderr lines, expected 1"; fail=1; }
grep -qF -- "$f: " "$tmp/stderr" || { echo "FAIL: message does not name $f"; fail=1; }
[ -z "$want" ] || grep -qF -- "$want" "$tmp/stderr" || { echo "FAIL: message lacks '$want'"; fail=1; }
grep -qE 'failed: continue|: success$' "$tmp/stderr" && { echo "FAIL: json-c's raw status as the message"; fail=1; }
exit $fail
