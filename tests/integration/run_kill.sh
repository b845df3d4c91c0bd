#!/usr/bin/env bash
# run_kill.sh INFERGATE FIXTURES — kill -9 of a run in the middle of a soak
# leaves every finished window readable, and run.json parseable.
set -u
ig=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
IG_FIXTURES=$2 "$ig" run -b reference -m mlp-intent --suite soak --duration 6 \
  --window 0.5 --no-progress -o "$out/run" >"$out/log" 2>&1 &
pid=$!
sleep 3
kill -9 "$pid"
wait "$pid" 2>/dev/null
sleep 0.5
f=$(ls "$out"/run/samples/*-windows.csv 2>/dev/null | head -1)
[ -n "$f" ] || { echo "FAIL: no windows file"; cat "$out/log"; exit 1; }
lines=$(($(wc -l < "$f") - 1))
echo "windows written before the kill: $lines"
[ "$lines" -ge 2 ] || { echo "FAIL: fewer than 2 finished windows"; exit 1; }
# Every line is complete: as many fields as the header, newline-terminated.
bad=$(awk -F, 'NR==1 { n = NF } NR>1 && NF!=n' "$f" | wc -l)
[ "$bad" -eq 0 ] || { echo "FAIL: $bad incomplete window lines"; exit 1; }
[ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ] || { echo "FAIL: last line torn"; exit 1; }
# The child died with the run: no cell keeps measuring.
sleep 1
n1=$(wc -l < "$f"); sleep 1; n2=$(wc -l < "$f")
[ "$n1" -eq "$n2" ] || { echo "FAIL: the cell kept running after the run was killed"; exit 1; }
grep -q '"schema_version"' "$out/run/run.json" || { echo "FAIL: run.json unreadable"; exit 1; }
echo PASS
