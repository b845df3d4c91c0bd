#!/usr/bin/env bash
# reports.sh CASE INFERGATE DATA OUT FIXTURES — one integration case of the
# reports (tests/integration/reports.cmake registers each as its own ctest
# test).  Exit 0 pass, 1 fail, 77 skipped (a tool it needs is absent; the
# message says which).
#   golden-gates, golden-killed, golden-workloads
#                                report.md and junit.xml against tests/data/*.expected
#   xmllint                      junit.xml of both fixtures is well-formed XML
#   browser                      report.html in headless Chromium: every plot
#                                decoded, the verdict table present
#   no-gnuplot                   without gnuplot the report still has its tables
#   baseline                     report --baseline: changes on the first screen, the
#                                change table, base vs new plots of changed cells
#   relative-dir                 a relative output folder: gnuplot's output goes to
#                                plots/gnuplot.log, never to the terminal; pngcairo found
#   speed                        3 backends x 5 models reported in <= 10 s
#   compare-aa, compare-slow     two runs of one build: no regression; a
#                                faulty run 20% slower: regressed, exit 1
#   matrix                       two machines merged into a hardware matrix
#   after-run                    `infergate run` leaves report/ in its run directory;
#                                with --baseline-report NAME the report compares with
#                                a saved baseline; an unknown NAME is refused (exit 2)
set -u
case_=$1 ig=$2 data=$3 out=$4 fixtures=$5
rm -rf "$out"
mkdir -p "$out"
export IG_FIXTURES=$fixtures
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

golden() { # run
    "$ig" report "$data/$1" -o "$out/$1" --no-plots --quiet || fail "report exited $?"
    for f in report.md junit.xml; do
        if ! cmp -s "$out/$1/$f" "$data/$1.expected/$f"; then
            diff -u "$data/$1.expected/$f" "$out/$1/$f" | head -40
            fail "$f differs from $data/$1.expected/$f"
        fi
    done
    echo "PASS: $1 report.md and junit.xml match the golden files"
}

browser_bin() {
    for b in chromium chromium-browser google-chrome; do
        command -v "$b" >/dev/null 2>&1 && { command -v "$b"; return; }
    done
}

case $case_ in
golden-gates) golden run-gates ;;
golden-killed) golden run-killed ;;
golden-workloads) golden run-workloads ;;
xmllint)
    command -v xmllint >/dev/null || skip "xmllint not installed (Debian: libxml2-utils)"
    for r in run-gates run-killed; do
        "$ig" report "$data/$r" -o "$out/$r" --no-plots --quiet || fail "report exited $?"
        xmllint --noout "$out/$r/junit.xml" || fail "$r junit.xml is not well-formed"
    done
    # The testcase count equals the number of gate checks in run.json.
    n=$(grep -c '<testcase ' "$out/run-gates/junit.xml")
    want=$(grep -c '"check":' "$data/run-gates/run.json")
    [ "$n" -eq "$want" ] || fail "$n testcases for $want gate checks"
    echo "PASS: junit.xml well-formed, $n testcases"
    ;;
browser)
    b=$(browser_bin)
    [ -n "$b" ] || skip "no Chromium (Debian: chromium); the HTML was not opened in a browser"
    command -v gnuplot >/dev/null || skip "gnuplot not installed: the report has no plots to load"
    "$ig" report "$data/run-gates" -o "$out/r" --quiet || fail "report exited $?"
    ud=$(mktemp -d)
    trap 'rm -rf "$ud"' EXIT
    # The first screen a person sees, 1400 x 900: the page reports where
    # its sections start (body data-tops, after layout), and a screenshot
    # is left for a person to look at.
    flags="--headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run
           --disable-component-update --disable-sync --hide-scrollbars --user-data-dir=$ud
           --window-size=1400,900 --virtual-time-budget=10000"
    # shellcheck disable=SC2086
    timeout 90 "$b" $flags --dump-dom "file://$out/r/report.html" >"$out/dom.html" 2>"$out/chromium.log"
    # shellcheck disable=SC2086
    timeout 90 "$b" $flags --screenshot="$out/first-screen.png" "file://$out/r/report.html" \
        >/dev/null 2>>"$out/chromium.log"
    body=$(grep -o '<body[^>]*>' "$out/dom.html" | head -1)
    echo "browser: $body"
    echo "$body" | grep -q 'data-plots-ok="yes"' || fail "not every plot loaded ($body); see $out/chromium.log"
    plots=$(echo "$body" | sed -n 's/.*data-plots="\([0-9]*\)\/\([0-9]*\)".*/\2/p')
    [ "${plots:-0}" -gt 0 ] || fail "no plots in the page"
    grep -q '<table id="verdicts"' "$out/dom.html" || fail "no verdict table in the rendered page"
    grep -q 'NOT READY' "$out/dom.html" || fail "readiness verdict missing"
    tops=$(echo "$body" | sed -n 's/.*data-tops="\([^"]*\)".*/\1/p')
    for s in readiness blockers fallback; do
        y=$(echo " $tops" | sed -n "s/.* $s:\([0-9]*\).*/\1/p")
        [ -n "$y" ] || fail "no #$s section in the page (data-tops: $tops)"
        [ "$y" -lt 900 ] || fail "#$s starts at $y px, below the first screen (1400 x 900)"
    done
    echo "PASS: $plots plots decoded in $(basename "$b"), verdict table present; first screen: $tops (screenshot $out/first-screen.png)"
    ;;
no-gnuplot)
    IG_GNUPLOT=/nonexistent/gnuplot "$ig" report "$data/run-gates" -o "$out/r" || fail "report exited $?"
    grep -q 'plots skipped: gnuplot not found' "$out/r/report.md" || fail "report.md does not say plots were skipped"
    grep -q '<table id="verdicts"' "$out/r/report.html" || fail "report.html lacks the verdict table"
    [ -s "$out/r/junit.xml" ] || fail "no junit.xml"
    echo "PASS: tables without gnuplot"
    ;;
baseline)
    # run-gates against itself with every latency sample 20 % slower.
    cp -r "$data/run-gates" "$out/slow"
    for f in "$out"/slow/samples/*.latency.csv; do
        awk -F, 'NR == 1 { print; next } { printf "%s,%d\n", $1, $2 * 1.2 }' "$f" >"$f.t" && mv "$f.t" "$f"
    done
    "$ig" report "$out/slow" --baseline "$data/run-gates" -o "$out/r" --quiet
    [ $? -le 1 ] || fail "report --baseline exited with an error"
    grep -q '^### Changes against the baseline' "$out/r/report.md" || fail "no changes section"
    grep -q '^- \*\*regressed\*\* reference on mlp-intent, latency: p50 +20.0%' "$out/r/report.md" ||
        fail "mlp-intent's +20 % p50 is not on the first screen"
    grep -q '| mlp-intent | reference | latency | p50 | .* | regressed |' "$out/r/report.md" || fail "no change table row"
    if command -v gnuplot >/dev/null; then
        [ -s "$out/r/plots/change-reference.mlp-intent.latency.svg" ] || fail "no base vs new plot"
    fi
    echo PASS
    ;;
relative-dir)
    command -v gnuplot >/dev/null || skip "gnuplot not installed"
    # run-killed has cells whose plots gnuplot warns about; a copy with a
    # relative path, as `infergate run` passes out/<id>.
    cp -r "$data/run-killed" "$out/run"
    (cd "$out" && "$ig" report run >stdout.txt 2>stderr.txt) || fail "report exited $?"
    lines=$(wc -l <"$out/stdout.txt")
    [ "$lines" -eq 1 ] || { cat "$out/stdout.txt"; fail "$lines lines on stdout, expected the one summary line"; }
    [ ! -s "$out/stderr.txt" ] || { cat "$out/stderr.txt"; fail "output on stderr"; }
    if gnuplot -e "set print '-'; print GPVAL_TERMINALS" 2>/dev/null | grep -q pngcairo; then
        grep -q 'set terminal pngcairo' "$out"/run/report/plots/*.gp || fail "pngcairo not detected with a relative folder"
    fi
    echo "PASS: $(cat "$out/stdout.txt")"
    ;;
speed)
    "$data/gen-run.sh" "$out/run" 3 5 50000 >/dev/null || fail "gen-run.sh failed"
    t0=$(date +%s.%N)
    "$ig" report "$out/run" || fail "report exited $?"
    t1=$(date +%s.%N)
    s=$(echo "$t0 $t1" | awk '{printf "%.2f", $2 - $1}')
    echo "report of 3 backends x 5 models: $s s (limit 10 s)"
    awk -v s="$s" 'BEGIN { exit !(s <= 10) }' || fail "took $s s"
    echo PASS
    ;;
compare-aa)
    for r in a b; do
        "$ig" run -b reference -b openblas -m mlp-intent -m gemm-256 --suite latency,lifecycle \
            --duration 0.5 --no-progress -o "$out/$r" >"$out/$r.log" 2>&1 || fail "run $r exited $?"
    done
    "$ig" compare "$out/a" "$out/b" --md "$out/cmp.md" --json "$out/cmp.json"
    rc=$?
    cat "$out/cmp.md"
    # The A/A promise holds on a quiet machine; the runs' own fingerprint
    # says whether this one was (docs/results-schema.md, env.warnings).
    if grep -q '"high load' "$out/a/run.json" "$out/b/run.json"; then
        skip "the machine was not quiet (a run recorded a high-load warning): A/A is not meaningful here"
    fi
    [ $rc -eq 0 ] || fail "A/A compare exited $rc (expected 0: no regression)"
    grep -q 'NO REGRESSION' "$out/cmp.md" || fail "A/A reported a regression"
    echo PASS
    ;;
compare-reps)
    # With --repetitions 4 on both sides (3 would do; one spare so that a
    # failed cell does not drop a side below 3), compare judges the latency
    # rows between repetitions (one estimate per repetition, Welch t) and
    # says so.
    for r in a b; do
        "$ig" run -b reference -m mlp-intent --suite latency --duration 0.2 --repetitions 4 \
            --no-progress -o "$out/$r" >"$out/$r.log" 2>&1
        [ $? -le 1 ] || fail "run $r exited with a usage or internal error"
        n=$(grep -c '"repetition":' "$out/$r/run.json")
        [ "$n" -eq 4 ] || fail "run $r: $n cells with a repetition, expected 4"
    done
    "$ig" compare "$out/a" "$out/b" --md "$out/cmp.md" --json "$out/cmp.json" --quiet
    [ $? -le 1 ] || fail "compare exited with a usage or internal error"
    cat "$out/cmp.md"
    grep -q '"rows": 4' "$out/cmp.json" || fail "not 4 rows judged between repetitions (p50, p90, p99, mean)"
    grep -q '| p50 | .* | [34] / [34] | .*between [34] / [34] repetitions: Welch t' "$out/cmp.md" ||
        fail "the p50 row does not say it was judged between repetitions"
    grep -q 'Between repetitions' "$out/cmp.md" || fail "the verdict does not say what it used"
    echo PASS
    ;;
compare-slow)
    "$ig" run -b reference -m mlp-intent -m gemm-256 --suite latency --duration 0.5 --no-progress \
        -o "$out/base" >"$out/base.log" 2>&1 || fail "base run exited $?"
    "$ig" run -b faulty:base=reference,mode=slow,pct=20 -m mlp-intent -m gemm-256 --suite latency \
        --duration 0.5 --no-progress -o "$out/cand" >"$out/cand.log" 2>&1 || fail "candidate run exited $?"
    "$ig" compare "$out/base" "$out/cand" --pair reference=faulty:base=reference,mode=slow,pct=20 \
        --md "$out/cmp.md"
    rc=$?
    cat "$out/cmp.md"
    # Each model shows the slowdown in some statistic (which one crosses
    # the noise threshold varies with the machine: in one CI run
    # mlp-intent's p50 moved +1.1% while its p90, p99 and mean moved
    # +17-20%), and nothing reads as improved.  Under high load a run's
    # own split-half drift may exceed the 20 % and widen the threshold
    # past it (compare says "judged under load"): the instrument then
    # declines to call the change, which is its rule, not a failure of it
    # (at a load average of 8 on 2 CPUs gemm-256's candidate drifted 13-41 %).
    missed=""
    for m in mlp-intent gemm-256; do
        grep -q "| $m | reference → faulty:base=reference,mode=slow,pct=20 | latency | .*\*\*regressed\*\*" "$out/cmp.md" ||
            missed="$missed $m"
    done
    if [ -n "$missed" ] && grep -q '"high load' "$out/base/run.json" "$out/cand/run.json"; then
        skip "under high load the runs' own drift hid the +20 % of:$missed (see docs/reports.md)"
    fi
    [ -z "$missed" ] || fail "no statistic of$missed reported as regressed"
    [ $rc -eq 1 ] || fail "compare exited $rc (expected 1: regression)"
    ! grep -q '| \*\*improved\*\* |' "$out/cmp.md" || fail "a slower candidate reported as improved"
    echo PASS
    ;;
matrix)
    "$ig" matrix "$data/run-gates" "$data/run-killed" -o "$out/m" >"$out/matrix.log" || fail "matrix exited $?"
    for f in matrix.md matrix.html matrix.json; do [ -s "$out/m/$f" ] || fail "no $f"; done
    grep -q 'lab-ci-01' "$out/m/matrix.md" && grep -q 'lab-ci-02' "$out/m/matrix.md" || fail "a machine is missing"
    if command -v gnuplot >/dev/null; then
        [ -s "$out/m/plots/heatmap.svg" ] || fail "no heat map"
    fi
    "$ig" matrix "$data/run-gates" -o "$out/m2" --check --quiet
    [ $? -eq 1 ] || fail "--check on a run with FAIL verdicts did not exit 1"
    echo PASS
    ;;
after-run)
    "$ig" run -b reference -m mlp-intent --suite parity,latency --duration 0.2 --no-progress \
        --results-root "$out/root" --save-baseline first \
        -o "$out/run" >"$out/run.log" 2>&1 || fail "run exited $?"
    for f in report.md report.html junit.xml; do
        [ -s "$out/run/report/$f" ] || fail "run did not write report/$f"
    done
    grep -q 'Baseline comparison' "$out/run/report/report.md" && fail "a comparison without --baseline-report"
    "$ig" run -b reference -m mlp-intent --suite parity,latency --duration 0.2 --no-progress \
        --results-root "$out/root" --baseline-report first \
        -o "$out/run2" >"$out/run2.log" 2>&1 || fail "run --baseline-report exited $?"
    grep -q 'Baseline comparison' "$out/run2/report/report.md" ||
        fail "run --baseline-report: no Baseline comparison in report.md"
    "$ig" run -b reference -m mlp-intent --no-progress --results-root "$out/root" \
        --baseline-report nosuch -o "$out/run3" >"$out/run3.log" 2>&1
    rc=$?
    [ $rc -eq 2 ] || fail "run --baseline-report nosuch exited $rc, want 2"
    [ -e "$out/run3" ] && fail "run --baseline-report nosuch ran anyway"
    echo PASS
    ;;
*) fail "unknown case $case_" ;;
esac
