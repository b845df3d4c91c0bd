#!/usr/bin/env bash
# workloads.sh — the generate suite on both KV-cache layouts and the
# embedding parity, run as a user runs them (issue 16):
#   workloads.sh INFERGATE FIXTURES OUTDIR
# Checks, from results.csv and run.json: every generate figure the docs
# promise is there and sane on reference and openblas, for decoder-mini
# (dynamic) and decoder-mini-static (static, no shape preparation worth
# the name); generate skips a model with no "generate" entry; --kv picks
# one layout; teacher-forced parity passes on openblas and fails on
# faulty wrong (tokens) and drift (logits); embedding parity passes on
# openblas and fails on faulty wrong; bad --kv / --prompt-tokens are
# usage errors.
set -euo pipefail
ig=$1 fx=$2 out=$3
export IG_FIXTURES=$fx
rm -rf "$out"
fail() { echo "FAIL: $*"; exit 1; }

# value BACKEND MODEL SUITE METRIC [OUTPUT]: the metric's value ("" absent)
value() {
  awk -F'","' -v b="$2" -v m="$3" -v s="$4" -v k="$5" -v o="${6:-}" \
    '$2==b && $3==m && $4==s && $5==o && $6==k {print $7; exit}' "$1/results.csv"
}
positive() { awk -v v="$1" 'BEGIN{exit !(v+0 > 0)}'; }

# --- the generate suite ---------------------------------------------------
"$ig" run --no-progress -b reference -b openblas -m decoder-mini -m decoder-mini-static \
  -m embed-mini --suite generate --prompt-tokens 8,24 --gen-tokens 20 --samples 2 \
  -o "$out/gen" >"$out.gen.log" 2>&1 || { cat "$out.gen.log"; fail "generate run"; }
for b in reference openblas; do
  for m in decoder-mini decoder-mini-static; do
    for k in decode_tps prefill_tps tpot ttft_p50 itl_p50 startup_time kv_cache_bytes \
             weight_bytes decode_bytes_per_token; do
      v=$(value "$out/gen" "$b" "$m" generate "$k")
      positive "$v" || fail "$b $m: $k is '$v'"
    done
    for k in shape_prepare itl_position_slope itl_drift rss_growth_per_1k_tokens \
             rss_repeat_growth_per_1k_tokens; do
      [ -n "$(value "$out/gen" "$b" "$m" generate "$k")" ] || fail "$b $m: no $k"
    done
    for p in 8 24; do
      v=$(value "$out/gen" "$b" "$m" generate decode_tps "prompt_$p")
      positive "$v" || fail "$b $m: prompt_$p decode_tps is '$v'"
    done
  done
done
grep -q '"kv_layout: static"' "$out/gen/run.json" || fail "no kv_layout note"
grep -q 'power' "$out/gen/run.json" || fail "neither a power figure nor why not"
grep -q '^generation: ' "$out.gen.log" || fail "no generation table in the summary"
grep -q 'skip .*reference.embed-mini.generate.*not a generative model' "$out.gen.log" ||
  fail "embed-mini's generate cell did not skip"
# The KV cache holds 2 x layers x kv_heads x head_dim floats a position.
kv=$(value "$out/gen" reference decoder-mini-static generate kv_cache_bytes)
[ "$kv" = 2621440 ] || fail "static cache bytes $kv, expected 2*4*2*640*64*4"

"$ig" run --no-progress -b reference -m decoder-mini -m decoder-mini-static --suite generate \
  --kv static --prompt-tokens 4 --gen-tokens 4 --samples 1 -o "$out/kv" >"$out.kv.log" 2>&1 ||
  fail "--kv static run"
grep -q 'skip .*decoder-mini.generate.*--kv static' "$out.kv.log" || fail "--kv static kept dynamic"

# --- parity: teacher forcing ----------------------------------------------
"$ig" run --no-progress -b openblas -b 'faulty:base=openblas,mode=wrong' \
  -b 'faulty:base=openblas,mode=drift,pct=1' -m decoder-mini -m decoder-mini-static \
  --suite parity -o "$out/par" >"$out.par.log" 2>&1 && fail "faulty parity passed"
for m in decoder-mini decoder-mini-static; do
  [ "$(value "$out/par" openblas "$m" parity gen_parity_pass)" = 1 ] || fail "openblas $m"
  [ "$(value "$out/par" openblas "$m" parity gen_token_agreement)" = 1 ] || fail "openblas $m tokens"
  w=faulty:base=openblas,mode=wrong d=faulty:base=openblas,mode=drift,pct=1
  [ "$(value "$out/par" "$w" "$m" parity gen_parity_pass)" = 0 ] || fail "wrong $m passed"
  awk -v v="$(value "$out/par" "$w" "$m" parity gen_token_agreement)" 'BEGIN{exit !(v < 0.5)}' ||
    fail "wrong $m: tokens agree"
  [ "$(value "$out/par" "$d" "$m" parity gen_parity_pass)" = 0 ] || fail "drift $m passed"
  awk -v v="$(value "$out/par" "$d" "$m" parity gen_logits_linf)" 'BEGIN{exit !(v > 0.01)}' ||
    fail "drift $m: logits within tolerance"
done
[ -s "$out/par/samples/openblas.decoder-mini.parity-teacher.csv" ] || fail "no teacher-forcing steps file"

# --- parity: embeddings ---------------------------------------------------
"$ig" run --no-progress -b openblas -b 'faulty:base=openblas,mode=wrong' -m embed-mini \
  --suite parity --samples 100 -o "$out/emb" >"$out.emb.log" 2>&1 && fail "faulty embed passed"
[ "$(value "$out/emb" openblas embed-mini parity embed_parity_pass)" = 1 ] || fail "openblas embed"
[ "$(value "$out/emb" openblas embed-mini parity recall_at_10)" = 1 ] || fail "openblas recall"
[ "$(value "$out/emb" openblas embed-mini parity embed_corpus)" = 100 ] || fail "corpus size"
[ "$(value "$out/emb" faulty:base=openblas,mode=wrong embed-mini parity embed_parity_pass)" = 0 ] ||
  fail "wrong embed passed"

# --- usage errors ---------------------------------------------------------
for bad in "--kv sideways" "--prompt-tokens 0" "--prompt-tokens 1,x" "--gen-tokens 1"; do
  set +e
  # shellcheck disable=SC2086  # the flag and its value, split on purpose
  "$ig" run --suite generate $bad -m decoder-mini -o "$out/bad" >"$out.bad.log" 2>&1
  rc=$?
  set -e
  [ $rc = 2 ] || fail "'$bad' exit $rc, expected 2"
  [ "$(wc -l <"$out.bad.log")" -le 2 ] || fail "'$bad': more than one error line"
done
# A generate entry naming tensors the model lacks: one line, exit 2,
# before anything runs.
printf '{"models": [{"name": "mlp-intent", "generate": {"kv": "static", "vocab": 10, %s}}]}\n' \
  '"layers": 1, "kv_heads": 1, "head_dim": 4, "max_context": 8' >"$out/badgen.json"
set +e
"$ig" run --suite generate -b reference -m mlp-intent --manifest "$out/badgen.json" \
  -o "$out/badgen" >"$out.badgen.log" 2>&1
rc=$?
set -e
[ $rc = 2 ] || fail "a generate entry for a non-generative model: exit $rc, expected 2"
grep -q "generate.input_ids 'input_ids' is not an input of the model" "$out.badgen.log" ||
  fail "no message naming generate.input_ids"
[ "$(wc -l <"$out.badgen.log")" = 1 ] || fail "more than one line for the bad entry"
echo "PASS"
