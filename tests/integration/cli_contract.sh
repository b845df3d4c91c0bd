#!/usr/bin/env bash
# cli_contract.sh INFERGATE [EXAMPLE_APP] — every command keeps the
# README's promise for a mistake on its command line: one line on stderr
# that names the option or file, nothing on stdout, exit 2.  Long options
# match only when typed in full: a prefix of a real option (`--suit` for
# `--suite`) is refused with a suggestion, never taken for the option.
set -u
ig=$1
app=${2:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
data=$(cd "$(dirname "$0")/../data" && pwd)
fail=0

# expect NAME WANT_TEXT CMD... : exit 2, one stderr line holding WANT_TEXT,
# empty stdout.
expect() {
  local name=$1 want=$2
  shift 2
  "$@" > "$tmp/out" 2> "$tmp/err" < /dev/null
  local rc=$? n
  n=$(wc -l < "$tmp/err")
  if [ "$rc" -ne 2 ] || [ "$n" -ne 1 ] || [ -s "$tmp/out" ] || ! grep -qF -- "$want" "$tmp/err"; then
    echo "FAIL $name: exit $rc, $n stderr lines (want exit 2, 1 line with '$want'), stdout $(wc -l < "$tmp/out") lines"
    sed 's/^/  stderr: /' "$tmp/err" | head -5
    sed 's/^/  stdout: /' "$tmp/out" | head -5
    fail=1
  else
    echo "ok   $name: $(cat "$tmp/err")"
  fi
}

# A prefix of one of each command's long options.
expect prefix.list        "'--fix' (did you mean --fixtures?)"      "$ig" list --fix x
expect prefix.infer       "'--mod' (did you mean --model?)"         "$ig" infer --mod x
expect prefix.conformance "'--rto' (did you mean --rtol?)"          "$ig" conformance --rto 1 x
expect prefix.difftest    "'--see' (did you mean --seed?)"          "$ig" difftest --see 1
expect prefix.run         "'--suit' (did you mean --suite?)"        "$ig" run --suit latency
expect prefix.run-eq      "'--suit' (did you mean --suite?)"        "$ig" run --suit=latency
expect prefix.select      "'--he' (did you mean --help?)"           "$ig" select --he
expect prefix.report      "'--no-plot' (did you mean --no-plots?)"  "$ig" report --no-plot x
expect prefix.compare     "'--nois' (did you mean --noise?)"        "$ig" compare --nois 0.1 a b
expect prefix.matrix      "'--label' (did you mean --label-from?)"  "$ig" matrix --label host x
expect prefix.bench       "'--samp' (did you mean --samples?)"      "$ig" bench --samp 10
expect prefix.env         "'--js' (did you mean --json?)"           "$ig" env --js
expect prefix.statbench   "'--samp'"                                "$ig" statbench --samp 10
# A value that looks like an option is a value, not a prefix.
expect value-not-option   "unknown suite '--suit'"                  "$ig" run --suite --suit
# Unknown options, missing values, a value given to a switch.
expect unknown.run        "unknown option '--frobnicate'"           "$ig" run --frobnicate
expect unknown.short      "unknown option '-x'"                     "$ig" run -x
expect missing.value      "option '--suite' needs a value"          "$ig" run --suite
expect missing.short      "option '-b' needs a value"               "$ig" infer -b
expect switch.value       "option '--json' takes no value"          "$ig" env --json=3
# Positional arguments: one line, not the usage.
expect compare.none       "compare: expected two results directories" "$ig" compare
expect compare.one        "compare: expected two results directories" "$ig" compare "$data/run-gates"
expect report.none        "report: expected one results directory"  "$ig" report
expect matrix.none        "matrix: expected at least one"           "$ig" matrix
expect conformance.none   "conformance: no DIR given"               "$ig" conformance
expect difftest.none      "-b BACKEND is required"                  "$ig" difftest
# select on a run without gates: the error, no header before it.
expect select.no-gates    "no gate verdicts"                        "$ig" select "$data/run-killed"
# bench: an unknown backend is a usage error before any table.
expect bench.backend      "unknown backend 'foo'"                   "$ig" bench -b foo -m mlp-intent

# bench --csv quotes a backend spec with commas: still 13 fields a row.
spec="faulty:base=reference,mode=slow,pct=0"
if "$ig" bench -b "$spec" -m mlp-intent --samples 4 --warmup 0 --csv "$tmp/b.csv" > /dev/null 2>&1; then
  if grep -qF "\"mlp-intent\",\"$spec\",4," "$tmp/b.csv"; then
    echo "ok   bench.csv-quoting"
  else
    echo "FAIL bench.csv-quoting:"; cat "$tmp/b.csv"; fail=1
  fi
else
  echo "FAIL bench.csv-quoting: bench -b $spec failed"; fail=1
fi

if [ -n "$app" ]; then
  "$app" --help > "$tmp/out" 2> "$tmp/err"
  rc=$?
  if [ "$rc" -ne 0 ] || [ -s "$tmp/err" ] || ! grep -q '^usage: ig-example-app' "$tmp/out"; then
    echo "FAIL app.help: exit $rc"; cat "$tmp/err"; fail=1
  else
    echo "ok   app.help"
  fi
  expect app.unknown  "unknown option '--frob'" "$app" --frob
  expect app.short    "unknown option '-x'"     "$app" -x m.onnx
  expect app.missing  "option '-n' needs a value" "$app" -n
  expect app.none     "expected MODEL.onnx"     "$app"
fi
exit $fail
