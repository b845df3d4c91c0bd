#!/usr/bin/env bash
# gen-run.sh OUTDIR [BACKENDS MODELS SAMPLES] — writes a synthetic results
# directory of BACKENDS × MODELS cells (default 3 × 5) in the layout of
# docs/results-schema.md: parity, latency (SAMPLES raw samples per cell,
# default 50000), soak (60 windows) and lifecycle (100 cycles), with gate
# verdicts and a selection.  It exists to time `infergate report` at the
# size the issue names (docs/reports.md, "Speed") without running the lab
# for minutes; the numbers are seeded (awk srand), so every machine writes
# the same files.
set -euo pipefail
out=$1
nb=${2:-3}
nm=${3:-5}
ns=${4:-50000}
rm -rf "$out"
mkdir -p "$out/samples"
awk -v out="$out" -v nb="$nb" -v nm="$nm" -v ns="$ns" '
function q(s) { return "\"" s "\"" }
function metric(name, v, unit, lo, hi, output) {
    if (lo == "") lo = v
    if (hi == "") hi = v
    m = (nmet++ ? ",\n" : "") "        {" (output != "" ? "\"output\": " q(output) ", " : "") \
        "\"metric\": " q(name) ", \"value\": " v ", \"unit\": " q(unit) \
        ", \"ci_low\": " lo ", \"ci_high\": " hi "}"
    mets = mets m
    printf "\"%s\",\"%s\",\"%s\",\"%s\",\"%s\",\"%s\",\"%s\",\"%s\",\"%s\",\"%s\"\n", \
        runid, be, mo, su, output, name, v, unit, lo, hi >> (out "/results.csv")
}
function cell(status) {
    fails = "{\"compile_error\": 0, \"load_error\": 0, \"predict_error\": 0, \"timeout\": 0, \"crash\": 0, \"non_finite\": 0, \"parity_mismatch\": 0, \"out_of_memory\": 0, \"unsupported\": 0}"
    c = sprintf("    {\"id\": %s, \"backend\": %s, \"model\": %s, \"model_path\": %s, \"suite\": %s, \"status\": %s, \"ended\": \"exit 0\", \"wall_s\": 1.0, \"device\": \"cpu\", \"version\": \"synthetic\", \"failures\": %s, \"failure_messages\": {}, \"metrics\": [\n%s\n      ], \"repro\": %s}", \
        q(be "." mo "." su), q(be), q(mo), q("fixtures/" mo "/model.onnx"), q(su), q(status), fails, mets, \
        q("infergate run -b " be " -m " mo " --suite " su))
    cells = cells (ncell++ ? ",\n" : "") c
    mets = ""; nmet = 0
}
function check(g, name, verdict, fig, thr, unit, op) {
    ch = sprintf("      {\"gate\": %s, \"check\": %s, \"backend\": %s, \"model\": %s, \"verdict\": %s, \"figure\": %s, \"threshold\": %s, \"unit\": %s, \"op\": %s, \"detail\": \"synthetic\", \"repro\": %s}", \
        q(g), q(name), q(be), q(mo), q(verdict), fig, thr, q(unit), q(op), q("infergate run -b " be " -m " mo " --gates " g))
    checks = checks (nchk++ ? ",\n" : "") ch
    key = g SUBSEP be SUBSEP mo
    if (!(key in sum) || verdict == "FAIL") sum[key] = verdict
}
BEGIN {
    srand(42)
    runid = "20260101-000000-1"
    split("reference openblas onednn cuda null", B, " ")
    split("mlp-intent cnn-mobile encoder-mini gemm-256 gemm-1024 m6 m7 m8", M, " ")
    print "run_id,backend,model,suite,output,metric,value,unit,ci_low,ci_high" > (out "/results.csv")
    for (mi = 1; mi <= nm; mi++) for (bi = 1; bi <= nb; bi++) {
        be = B[bi]; mo = M[mi]
        base = (0.02 * mi * mi) / bi          # ms: models grow, backends get faster
        # parity
        su = "parity"
        err = (bi == 1) ? 0 : 1e-7 * bi * mi
        metric("ref_max_abs", err, "abs", "", "", "out")
        metric("ref_max_rel", err * 10, "rel", "", "", "out")
        metric("ref_cosine", 1, "ratio", "", "", "out")
        metric("ref_pass", 1, "bool", "", "", "out")
        metric("parity_pass", 1, "bool")
        cell("ok")
        # latency: log-normal body and a 1% tail, written as raw samples
        su = "latency"
        f = out "/samples/" be "." mo "." su ".csv"
        print "index,latency_ns" > f
        for (i = 0; i < ns; i++) {
            u1 = rand(); u2 = rand(); if (u1 < 1e-12) u1 = 1e-12
            z = sqrt(-2 * log(u1)) * cos(6.283185307 * u2)
            x = base * 1e6 * exp(0.15 * z)
            if (rand() < 0.01) x *= 2 + 8 * rand()
            v[i] = int(x); printf "%d,%d\n", i, v[i] > f
        }
        close(f)
        n = asort_lat(ns)
        metric("p50", S[int(0.5 * ns)] / 1e6, "ms", S[int(0.49 * ns)] / 1e6, S[int(0.51 * ns)] / 1e6)
        metric("p50_valid", 1, "bool")
        metric("p90", S[int(0.9 * ns)] / 1e6, "ms", S[int(0.89 * ns)] / 1e6, S[int(0.91 * ns)] / 1e6)
        metric("p99", S[int(0.99 * ns)] / 1e6, "ms", S[int(0.985 * ns)] / 1e6, S[int(0.993 * ns)] / 1e6)
        metric("p99_valid", 1, "bool")
        metric("p999", S[int(0.999 * ns)] / 1e6, "ms")
        metric("samples", ns, "count")
        metric("throughput", 1000 / base, "inf/s")
        metric("dispatch_time_ratio", bi == 1 ? 0 : 0.95, "ratio")
        cell("ok")
        # soak: 60 windows
        su = "soak"
        f = out "/samples/" be "." mo "." su "-windows.csv"
        print "window,start_s,end_s,inferences,errors,p50_ms,p99_ms,throughput,rss_bytes" > f
        for (w = 0; w < 60; w++)
            printf "%d,%.3f,%.3f,%d,0,%.6f,%.6f,%.3f,%d\n", w, w, w + 1, 1000 / base, base, base * 3 * (1 + 0.1 * rand()), 1000 / base * (1 + 0.05 * rand()), 8e6 + 4096 * w > f
        close(f)
        metric("windows", 60, "count")
        metric("inferences", 60000 / base, "count")
        metric("errors", 0, "count")
        metric("throughput", 1000 / base, "inf/s")
        metric("p99_first_window", base * 3, "ms")
        metric("p99_last_window", base * 3.1, "ms")
        metric("p99_drift", 0.033, "ratio")
        metric("rss_growth_per_1k", 4096 * base, "bytes", 0, 8192 * base)
        metric("rss_growth_r2", 0.9, "ratio")
        cell("ok")
        # lifecycle: 100 cycles
        su = "lifecycle"
        f = out "/samples/" be "." mo "." su "-cycles.csv"
        print "cycle,compile_ns,load_ns,predict_ns,unload_ns,rss_bytes" > f
        for (c = 0; c < 100; c++)
            printf "%d,%d,%d,%d,%d,%d\n", c, 500000 * (1 + rand()), 2000, base * 1e6, 3000, 6e6 + (c < 10 ? c * 65536 : 655360) > f
        close(f)
        metric("cycles", 100, "count")
        metric("cycles_per_s", 1000 / (base + 0.6), "1/s")
        metric("rss_growth_per_cycle", 0, "bytes")
        metric("rss_growth_r2", 1, "ratio")
        cell("ok")
        check("A", "lifecycle_leak", "PASS", 0, 4096, "bytes/cycle", "<=")
        check("C", "parity_linf", "PASS", err, 0.01, "abs", "<=")
        check("C", "latency_p99", S[int(0.99 * ns)] / 1e6 <= 20 ? "PASS" : "FAIL", S[int(0.99 * ns)] / 1e6, 20, "ms", "<=")
        check("D", "soak_memory", "PASS", 4096 * base, 1048576, "bytes/1k", "<=")
        chain[mo] = chain[mo] (chain[mo] == "" ? "" : ", ") q(be)
    }
    j = out "/run.json"
    printf "{\n  \"schema_version\": 1,\n  \"run_id\": %s,\n  \"started\": \"2026-01-01T00:00:00Z\",\n  \"updated\": \"2026-01-01T01:00:00Z\",\n  \"finished\": \"2026-01-01T01:00:00Z\",\n", q(runid) > j
    printf "  \"command\": [\"gen-run.sh\"],\n  \"config\": {\"baseline\": \"reference\"},\n" > j
    printf "  \"env\": {\"hostname\": \"synthetic\", \"cpu\": {\"model\": \"synthetic CPU\", \"arch\": \"x86_64\"}, \"warnings\": []},\n" > j
    printf "  \"cells\": [\n%s\n  ],\n", cells > j
    printf "  \"gates\": {\"profile\": \"ci\", \"spec\": \"gates/default.json\", \"selected\": [\"A\", \"C\", \"D\"], \"checks\": [\n%s\n    ], \"summary\": [\n", checks > j
    ns2 = 0
    for (k in sum) { split(k, p, SUBSEP); printf "%s      {\"gate\": %s, \"backend\": %s, \"model\": %s, \"verdict\": %s}", (ns2++ ? ",\n" : ""), q(p[1]), q(p[2]), q(p[3]), q(sum[k]) > j }
    printf "\n    ]},\n  \"selection\": {\"models\": {" > j
    nc = 0
    for (mo in chain) printf "%s%s: {\"chain\": [%s]}", (nc++ ? ", " : ""), q(mo), chain[mo] > j
    printf "}}\n}\n" > j
}
# Sorts v[0..n) into S[0..n) (mawk has no asort: a heap sort).
function asort_lat(n,    i, t) {
    for (i = 0; i < n; i++) S[i] = v[i]
    for (i = int(n / 2) - 1; i >= 0; i--) sift(i, n)
    for (i = n - 1; i > 0; i--) { t = S[0]; S[0] = S[i]; S[i] = t; sift(0, i) }
    return n
}
function sift(i, n,    c, t) {
    while ((c = 2 * i + 1) < n) {
        if (c + 1 < n && S[c + 1] > S[c]) c++
        if (S[i] >= S[c]) return
        t = S[i]; S[i] = S[c]; S[c] = t; i = c
    }
}'
echo "gen-run.sh: $nb backends x $nm models, $ns samples per latency cell -> $out"
