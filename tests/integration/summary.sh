#!/usr/bin/env bash
# summary.sh CASE INFERGATE DATA OUT — the terminal summary and its exports.
#   golden    `infergate summary` of tests/data/run-gates and run-killed, and
#             the Markdown export, against DATA/<run>.expected/summary.*
#             (IG_UPDATE_GOLDEN=1 rewrites them; review the diff)
#   run       a real run ends with the table and a readiness line whose exit
#             status is the process's; the counts add up to the grid; the
#             summary command prints the same table again from the files;
#             --save-baseline / compare --baseline; the Google Benchmark JSON
set -u
case_name=$1 ig=$2 data=$3 out=$4
rm -rf "$out"
mkdir -p "$out"
fail=0
check() { # check WHAT CONDITION-STATUS
  if [ "$2" -ne 0 ]; then echo "FAIL: $1"; fail=1; else echo "ok   $1"; fi
}
case $case_name in
  golden)
    for run in run-gates run-killed run-workloads; do
      exp=$data/$run.expected
      "$ig" summary "$data/$run" --export-markdown "$out/$run.md" > "$out/$run.txt"
      check "$run: summary exit 0" $?
      for k in txt md; do
        if [ "${IG_UPDATE_GOLDEN:-}" = 1 ]; then
          cp "$out/$run.$k" "$exp/summary.$k"
        fi
        diff -u "$exp/summary.$k" "$out/$run.$k"
        check "$run: summary.$k matches the golden file" $?
      done
    done ;;
  run)
    root=$out/root
    "$ig" run -b reference -b null -m mlp-intent --suite parity,latency --duration 0.1 \
        --min-samples 50 -o "$out/a" --save-baseline main --results-root "$root" \
        --export-json "$out/a.json" --export-csv "$out/a.csv" > "$out/a.out" 2> "$out/a.err"
    rc=$?
    cat "$out/a.out"
    last=$(tail -n 1 "$out/a.out")
    case "$last" in readiness:*"; exit status $rc") st=0 ;; *) st=1 ;; esac
    check "the last line is the readiness verdict with the exit status ($rc): $last" $st
    grep -q '^model  *backend  *p50 \[95% CI\]  *p99 \[95% CI\]  *samples  *speedup \[95% CI\]  *verdict$' "$out/a.out"
    check "the table has its columns" $?
    grep -q '^mlp-intent  *null .* ok$' "$out/a.out" && grep -q '^mlp-intent  *reference .*baseline  *ok$' "$out/a.out"
    check "one row per backend" $?
    counts=$(grep -E '^[0-9]+ cells: ' "$out/a.out")
    set -- $(echo "$counts" | tr -dc '0-9 ')
    [ $# -ge 4 ] && [ "$1" -eq $(( $2 + $3 + $4 + ${5:-0} )) ] && [ "$1" -eq 4 ]
    check "the counts add up: $counts" $?
    # The same table, again, from the files.
    "$ig" summary "$out/a" > "$out/s.out"
    sed -n '/^run /,$p' "$out/a.out" > "$out/a.table"
    sed -n '/^run /,$p' "$out/s.out" > "$out/s.table"
    diff -u "$out/a.table" "$out/s.table"
    check "infergate summary prints the table the run ended with" $?
    # Named baseline.
    [ -f "$root/baselines/main/run.json" ] && [ -f "$root/baselines/main/results.csv" ] &&
      [ -d "$root/baselines/main/samples" ]
    check "--save-baseline main wrote $root/baselines/main" $?
    "$ig" compare --baseline main --results-root "$root" "$out/a" --quiet
    check "compare --baseline main against the same run: no regression" $?
    IG_RESULTS_ROOT=$root "$ig" compare --baseline nosuch "$out/a" 2> "$out/c.err"
    [ $? -eq 2 ] && [ "$(wc -l < "$out/c.err")" -eq 1 ] && grep -q "no baseline 'nosuch'" "$out/c.err"
    check "compare --baseline with an unknown name: one line, exit 2" $?
    # Exports.
    cmp -s "$out/a.csv" "$out/a/results.csv"
    check "--export-csv is the tidy results.csv" $?
    for k in '"context"' '"benchmarks"' '"run_name":"mlp-intent/null"' '"run_type":"aggregate"' \
             '"aggregate_name":"median"' '"aggregate_name":"p99"' '"time_unit":"ns"' '"iterations"' \
             '"real_time"' '"num_cpus"' '"host_name"'; do
      grep -q "$k" "$out/a.json"
      check "--export-json has $k" $?
    done ;;
  *) echo "unknown case $case_name"; exit 1 ;;
esac
exit $fail
