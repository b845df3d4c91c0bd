#!/usr/bin/env bash
# compress_all.sh INFERGATE FIXTURES — `infergate compress` produces every
# scheme for every built-in fp32 fixture (issue 17's "done when"), and each
# variant loads and runs on the reference on the fixture's own test inputs.
#
# Per fixture (every `infergate list` fixture without '@': the fp32
# originals, whatever the manifest holds) and scheme: compress, then
# `conformance -b reference` against the fp32 original's goldens.  The
# tolerance there is deliberately unbounded (atol 1e30): what is checked is
# that the variant runs and its outputs have the original's names, dtypes
# and shapes, with NaN and Inf nowhere the original has none (conformance
# fails on a shape or dtype mismatch and on a NaN/Inf where the golden has
# a finite value).  How far each variant moved is the fidelity question,
# judged per model by gate C; the max_abs is printed here for the record.
set -u
ig=$1
fx=$2
[ -f "$fx/manifest.json" ] || { echo "SKIP: $fx not generated"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
schemes="fp16 bf16 int8-static int8-dynamic int4-weight palette:2 palette:4 palette:6 palette:8"
fixtures=$("$ig" list --fixtures "$fx" | sed -n '/^fixtures/,$p' | awk 'NR > 1 && $1 !~ /@/ {print $1}')
[ -n "$fixtures" ] || { echo "FAIL: no fixtures listed"; exit 1; }
bad=0 n=0
for f in $fixtures; do
  for s in $schemes; do
    d="$tmp/$f@$s"
    mkdir -p "$d"
    cp -r "$fx/$f/test_data_set_0" "$d/"
    if ! "$ig" compress "$fx/$f/model.onnx" --to "$s" -o "$d/model.onnx" >"$tmp/log" 2>&1; then
      echo "FAIL $f $s: compress: $(tail -1 "$tmp/log")"
      bad=$((bad + 1))
      continue
    fi
    if "$ig" conformance -b reference --rtol 0 --atol 1e30 "$d" >"$tmp/conf" 2>&1; then
      echo "ok   $f $s: $(grep -o 'max_abs=[^ ]*' "$tmp/conf" | head -1) vs fp32, $(stat -c %s "$d/model.onnx") of $(stat -c %s "$fx/$f/model.onnx") bytes"
    else
      echo "FAIL $f $s: $(grep -v '^[0-9]* passed' "$tmp/conf" | head -3)"
      bad=$((bad + 1))
    fi
    n=$((n + 1))
    rm -rf "$d"
  done
done
echo "$n variants, $bad failed"
[ "$bad" -eq 0 ] && [ "$n" -ge 9 ]
