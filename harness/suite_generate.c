/* suite_generate.c — generative and embedding workloads (docs/suites.md,
 * "generate"; issue 16): the generate suite's timings, and the parity of
 * a generation (teacher forcing) and of an embedding (cosine, recall@10).
 *
 * Timings are measured the way LLM serving is (MLPerf's LLM rules,
 * llama-bench's prompt-processing / token-generation split): time to first
 * token is the prefill (dynamic layout: one predict over the prompt;
 * static layout: one predict per prompt token, since every shape is
 * fixed at one token), every later step's predict is an inter-token
 * latency, and time per output token is the decode time over the tokens
 * after the first.  Greedy decoding from seeded prompts; the argmax and
 * the cache feedback are the harness's and stay out of the timed calls.
 *
 * Parity of a generation uses teacher forcing: the reference and the
 * backend step together and both are fed the reference's token, so every
 * step is compared even after the greedy tokens first differ. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generate.h"
#include "parity.h"
#include "run.h"
#include "teacher.h"
#include "../backends/graph/onnx_io.h"
#include "../stats/stats.h"

/* The cell's watchdog and failure count around a step's predict. */
static int cell_call(void *user, ig__session *s, const ig_tensor *in, int nin, char *msg,
                     size_t msglen)
{
    ig__cellctx *c = user;
    ig__call_begin();
    int rc = ig__session_predict(s, in, nin, msg, msglen);
    ig__call_end();
    if (rc)
        ig__emit_failure(c, ig__failure_of_predict(rc), msg);
    return rc;
}

/* Bytes of the model's initializers: what a decode step reads besides
 * the cache. */
static uint64_t weight_bytes(const ig__session *s, const char *path)
{
    ig__graph *g = NULL;
    char msg[256];
    if (ig__model_load_mem(s->bytes, s->len, path, &g, msg, sizeof msg) != 0)
        return 0;
    uint64_t b = 0;
    for (int i = 0; i < g->nvalues; i++)
        if (g->values[i].init.data)
            b += (uint64_t)g->values[i].init.numel * ig_dtype_size(g->values[i].init.dtype);
    ig__graph_free(g);
    return b;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Prefill: the prompt into an empty cache; the step time(s) summed into
 * *ttft.  Returns the first generated token, or -1 on an error. */
static int64_t prefill(ig__cellctx *c, ig__gen *e, const int64_t *ids, int64_t n,
                       uint64_t *ttft, char *msg, size_t msglen)
{
    ig__gen_reset(e);
    *ttft = 0;
    /* c NULL: a worker thread, outside the cell's watchdog. */
    ig__gen_call call = c ? cell_call : NULL;
    /* The predicts' own times (step_ns): building the step's inputs and
     * feeding the cache back are the harness's and stay out. */
    int64_t per = e->g->kv == IG_KV_DYNAMIC ? n : 1;
    for (int64_t i = 0; i < n; i += per) {
        if (ig__gen_step(e, ids + i, per, call, c, NULL, msg, msglen))
            return -1;
        *ttft += e->step_ns;
    }
    return ig__gen_argmax(e);
}

enum { PROBE_EVERY = 16 };

/* The package energy counter (Linux powercap: RAPL on Intel, and on AMD
 * since family 17h), in microjoules; 0 with the reason in why when there
 * is no readable sensor (a VM, a container, or a counter readable only by
 * root since CVE-2020-8694). */
static const char *const rapl = "/sys/class/powercap/intel-rapl:0/energy_uj";

static int energy_uj(uint64_t *uj, char *why, size_t len)
{
    FILE *f = fopen(rapl, "r");
    if (!f) {
        snprintf(why, len, "no sensor: %s: %s", rapl, strerror(errno));
        return 0;
    }
    unsigned long long v = 0;
    int ok = fscanf(f, "%llu", &v) == 1;
    fclose(f);
    if (!ok) {
        snprintf(why, len, "no sensor: %s holds no number", rapl);
        return 0;
    }
    *uj = v;
    return 1;
}

int ig__suite_generate(ig__cellctx *c)
{
    const ig__model_ref *m = c->cell->model;
    const ig__gen_spec *g = &m->gen;
    const ig__params *p = &c->cell->p;
    char msg[2048] = "";
    ig__gen e;
    int rc = ig__gen_open(&e, g, &c->s, m->path, msg, sizeof msg);
    if (rc) {
        ig__emit_failure(c, IG_FAIL_PREDICT_ERROR, msg);
        return 0;
    }
    int64_t gen = p->gen_tokens > 0 ? p->gen_tokens : 128;
    int64_t plist[8];
    int np = 0;
    for (int i = 0; i < 8 && p->prompt_tokens[i] > 0; i++)
        plist[np++] = p->prompt_tokens[i];
    if (np == 0) {
        static const int64_t dflt[] = {32, 128, 512};
        for (int i = 0; i < 3; i++)
            plist[np++] = dflt[i];
    }
    /* Shortest first: the last that runs is the longest, the headline. */
    qsort(plist, (size_t)np, sizeof *plist, cmp_i64);
    int reps = p->samples > 0 ? (int)p->samples : 3;
    double bound = p->duration_s > 0 ? p->duration_s : 120;
    ig__emit_metric(c, NULL, "gen_tokens", (double)gen, "count", NAN, NAN);
    ig__emit_metric(c, NULL, "generations_per_prompt", reps, "count", NAN, NAN);
    ig__emit_info(c, "kv_layout", "%s", g->kv == IG_KV_STATIC ? "static" : "dynamic");

    FILE *f = ig__open_samples(c, "-tokens",
                               "prompt_tokens,generation,step,position,token,latency_ns,"
                               "repeat_ns");
    int64_t *ids = malloc(sizeof *ids * (size_t)(e.cap + 1));
    int64_t cap_itl = (int64_t)reps * np * gen + 1;
    uint64_t *itl = malloc(sizeof *itl * (size_t)cap_itl);
    int64_t *prep = malloc(sizeof *prep * (size_t)(cap_itl / PROBE_EVERY + np * reps + 2));
    uint64_t *ttfts = malloc(sizeof *ttfts * (size_t)(reps + 1));
    double *posv = malloc(sizeof *posv * (size_t)cap_itl);
    int64_t nrss_cap = cap_itl / PROBE_EVERY + 2, nrss = 0;
    double *rss_x = malloc(sizeof *rss_x * (size_t)nrss_cap);
    double *rss_y = malloc(sizeof *rss_y * (size_t)nrss_cap);
    if (!ids || !itl || !prep || !ttfts || !posv || !rss_x || !rss_y) {
        free(ids), free(itl), free(prep), free(ttfts), free(posv), free(rss_x), free(rss_y);
        if (f)
            fclose(f);
        ig__gen_close(&e);
        return IG_ENOMEM;
    }
    int64_t nitl = 0, nprep = 0, total_decoded = 0, total_prompt = 0;
    uint64_t decode_ns = 0, prefill_ns = 0, first_ttft = 0;
    double kv_bytes_sum = 0;
    int64_t kv_samples = 0;
    uint64_t rss0 = ig__rss_bytes(), kv_end = 0;
    char pwhy[256] = "";
    uint64_t e0 = 0, e1 = 0;
    int have_power = energy_uj(&e0, pwhy, sizeof pwhy);
    uint64_t t_start = ig__now_ns();
    int longest = -1, stopped = 0, last_nt = 0;
    int64_t last_off = 0;
    uint64_t last_prefill_ns = 0;
    for (int pi = 0; pi < np && !stopped; pi++) {
        int64_t P = plist[pi];
        char out[32];
        snprintf(out, sizeof out, "prompt_%lld", (long long)P);
        if (P + gen > e.cap) {
            ig__emit_info(c, "prompt", "prompt of %lld tokens skipped: with %lld generated "
                          "it passes generate.max_context (%lld)", (long long)P,
                          (long long)gen, (long long)e.cap);
            continue;
        }
        int nt = 0;
        int64_t p_decoded = 0, p_off = nitl;
        uint64_t p_decode_ns = 0, p_prefill_ns = 0;
        for (int r = 0; r < reps; r++) {
            if ((ig__now_ns() - t_start) / 1e9 > bound && r > 0) {
                stopped = 1;
                ig__emit_info(c, "bound", "stopped after %.0f s (--duration)", bound);
                break;
            }
            ig__gen_seeded_prompt(c->cfg->seed * 1000003u + (uint64_t)P * 101u + (uint64_t)r,
                          g->vocab, P, ids);
            uint64_t ttft;
            int64_t tok = prefill(c, &e, ids, P, &ttft, msg, sizeof msg);
            if (tok < 0)
                goto done;
            if (!first_ttft)
                first_ttft = ttft;
            ttfts[nt++] = ttft;
            p_prefill_ns += ttft;
            if (f)
                fprintf(f, "%lld,%d,0,%lld,%lld,%llu,\n", (long long)P, r + 1,
                        (long long)(e.pos - 1), (long long)tok, (unsigned long long)ttft);
            for (int64_t s = 1; s < gen; s++) {
                uint64_t rep = 0;
                int probe = r == 0 && s % PROBE_EVERY == 0;
                if (ig__gen_step(&e, &tok, 1, cell_call, c, probe ? &rep : NULL, msg,
                                 sizeof msg))
                    goto done;
                uint64_t dt = e.step_ns;
                tok = ig__gen_argmax(&e);
                posv[nitl] = (double)(e.pos - 1);
                itl[nitl++] = dt;
                p_decode_ns += dt;
                p_decoded++;
                kv_bytes_sum += (double)ig__gen_kv_bytes(&e);
                kv_samples++;
                if (probe)
                    prep[nprep++] = (int64_t)dt - (int64_t)rep;
                if ((total_decoded + p_decoded) % PROBE_EVERY == 0 && nrss < nrss_cap) {
                    rss_x[nrss] = (double)(total_decoded + p_decoded);
                    rss_y[nrss++] = (double)ig__rss_bytes();
                }
                if (f)
                    fprintf(f, "%lld,%d,%lld,%lld,%lld,%llu,", (long long)P, r + 1,
                            (long long)s, (long long)(e.pos - 1), (long long)tok,
                            (unsigned long long)dt);
                if (f && probe)
                    fprintf(f, "%llu", (unsigned long long)rep);
                if (f)
                    fputc('\n', f);
            }
            kv_end = ig__gen_kv_bytes(&e);
            if (f)
                fflush(f);
        }
        if (nt == 0)
            continue;
        longest = pi;
        last_nt = nt;
        last_off = p_off;
        last_prefill_ns = p_prefill_ns;
        total_decoded += p_decoded;
        total_prompt += P * nt;
        decode_ns += p_decode_ns;
        prefill_ns += p_prefill_ns;
        /* Per prompt length: TTFT over the generations, ITL over their
         * steps, and llama-bench's pp and tg. */
        ig__emit_latency(c, out, "ttft_", ttfts, nt, p_prefill_ns / 1e9);
        ig__emit_metric(c, out, "ttft_mean", p_prefill_ns / 1e6 / nt, "ms", NAN, NAN);
        ig__emit_metric(c, out, "prefill_tps", P * nt / (p_prefill_ns / 1e9), "tok/s", NAN,
                        NAN);
        if (p_decoded > 0) {
            ig__emit_metric(c, out, "decode_tps", p_decoded / (p_decode_ns / 1e9), "tok/s",
                            NAN, NAN);
            ig__emit_metric(c, out, "tpot_mean", p_decode_ns / 1e6 / p_decoded, "ms", NAN,
                            NAN);
            ig__emit_metric(c, out, "e2e_mean",
                            (p_prefill_ns + p_decode_ns) / 1e6 / nt, "ms", NAN, NAN);
        }
    }
done:
    if (f)
        fclose(f);
    /* What a generation keeps, apart from what grows with the context:
     * after the timed generations, one more of the longest prompt, not
     * timed, between two RSS readings taken after malloc_trim (what the
     * process keeps, not what glibc caches).  The timed generations
     * already passed the same positions and shapes, so what this one adds
     * is kept per token: a leak.  No trim runs among the timed ones: the
     * next prefill pays the page faults (measured: onednn's TTFT at 32
     * tokens 5.7-6.7 ms without a trim before it, 14.4-14.7 ms with). */
    double rep_growth = NAN;
    /* RSS, energy and wall time of the timed generations, before it. */
    uint64_t rss1 = ig__rss_bytes(), wall = ig__now_ns() - t_start;
    int have_e1 = have_power && energy_uj(&e1, pwhy, sizeof pwhy);
    if (longest >= 0 && !stopped && !msg[0] && gen >= 2) {
        int64_t P = plist[longest];
        ig__gen_seeded_prompt(c->cfg->seed * 1000003u + (uint64_t)P * 101u + (uint64_t)reps,
                              g->vocab, P, ids);
        uint64_t ra = ig__rss_kept_bytes(), ttft;
        int64_t tok = prefill(c, &e, ids, P, &ttft, msg, sizeof msg);
        int64_t s = 1;
        for (; tok >= 0 && s < gen; s++) {
            if (ig__gen_step(&e, &tok, 1, cell_call, c, NULL, msg, sizeof msg))
                break;
            tok = ig__gen_argmax(&e);
        }
        if (tok >= 0 && s == gen) {
            rep_growth = ((double)ig__rss_kept_bytes() - (double)ra) / (double)(gen - 1) * 1000;
        }
    }
    if (longest >= 0) {
        /* Whole-cell figures: ITL over every decode step of every
         * generation, TTFT of the longest prompt that ran (the SLA's
         * worst case), tokens/s over everything. */
        ig__emit_latency(c, NULL, "itl_", itl, nitl, decode_ns / 1e9);
        ig__emit_latency(c, NULL, "ttft_", ttfts, last_nt, last_prefill_ns / 1e9);
        ig__emit_metric(c, NULL, "prompt_tokens_headline", (double)plist[longest], "count",
                        NAN, NAN);
        if (total_decoded > 0) {
            ig__emit_metric(c, NULL, "tpot", decode_ns / 1e6 / total_decoded, "ms", NAN,
                            NAN);
            ig__emit_metric(c, NULL, "decode_tps", total_decoded / (decode_ns / 1e9),
                            "tok/s", NAN, NAN);
        }
        ig__emit_metric(c, NULL, "prefill_tps", total_prompt / (prefill_ns / 1e9), "tok/s",
                        NAN, NAN);
        ig__emit_metric(c, NULL, "startup_time",
                        (c->s.compile_ns + c->s.load_ns + first_ttft) / 1e6, "ms", NAN, NAN);
        ig__emit_metric(c, NULL, "kv_cache_bytes", (double)kv_end, "bytes", NAN, NAN);
        uint64_t wb = weight_bytes(&c->s, m->path);
        ig__emit_metric(c, NULL, "weight_bytes", (double)wb, "bytes", NAN, NAN);
        if (kv_samples > 0)
            ig__emit_metric(c, NULL, "decode_bytes_per_token",
                            (double)wb + kv_bytes_sum / (double)kv_samples, "bytes", NAN, NAN);
        if (total_decoded > 0)
            ig__emit_metric(c, NULL, "rss_per_token",
                            ((double)rss1 - (double)rss0) / (double)total_decoded, "bytes",
                            NAN, NAN);
        /* Gate D's questions, kept apart: how ITL grows with the context
         * (a line against position, every step of every generation) and
         * whether it drifts over time (the last generation against the
         * first at the same positions: the context is equal, so the ratio
         * is time alone), and memory growth per 1,000 tokens. */
        double *yms = malloc(sizeof *yms * (size_t)(nitl + 1));
        ig__linfit fit;
        if (yms) {
            for (int64_t i = 0; i < nitl; i++)
                yms[i] = itl[i] / 1e6;
            if (nitl >= 3 && ig__linfit_compute(posv, yms, nitl, &fit) == 0) {
                ig__emit_metric(c, NULL, "itl_position_slope", fit.slope * 1000,
                                "ms/1k positions", (fit.slope - 2 * fit.slope_se) * 1000,
                                (fit.slope + 2 * fit.slope_se) * 1000);
                ig__emit_metric(c, NULL, "itl_position_r2", fit.r2, "ratio", NAN, NAN);
            }
            /* The base is the second generation when there are three or
             * more: the first warms up (measured on decoder-mini, dynamic
             * cache: the second ran 12-33 % faster than the first at the
             * same positions on the reference and openblas, with or
             * without a trim between them), and drift is what time does
             * after that. */
            int64_t per = gen - 1, base = last_nt >= 3 ? 1 : 0;
            if (last_nt >= 2 && per > 0 && last_off + last_nt * per <= nitl) {
                for (int64_t s = 0; s < per; s++)
                    yms[s] = (double)itl[last_off + (last_nt - 1) * per + s] /
                             (double)itl[last_off + base * per + s];
                qsort(yms, (size_t)per, sizeof *yms, cmp_double);
                ig__emit_metric(c, NULL, "itl_drift", yms[per / 2] - 1, "ratio", NAN, NAN);
                ig__emit_metric(c, NULL, "itl_drift_base_generation", (double)(base + 1),
                                "count", NAN, NAN);
            }
            free(yms);
        }
        if (nrss >= 3 && ig__linfit_compute(rss_x, rss_y, nrss, &fit) == 0)
            ig__emit_metric(c, NULL, "rss_growth_per_1k_tokens", fit.slope * 1000, "bytes",
                            (fit.slope - 2 * fit.slope_se) * 1000,
                            (fit.slope + 2 * fit.slope_se) * 1000);
        if (!isnan(rep_growth)) {
            ig__emit_metric(c, NULL, "rss_repeat_growth_per_1k_tokens", rep_growth, "bytes",
                            NAN, NAN);
            ig__emit_metric(c, NULL, "rss_repeat_tokens", (double)(gen - 1), "count", NAN,
                            NAN);
        }
        if (have_e1 && e1 >= e0 && wall > 0) {
            /* The whole package, idle cores and other processes included:
             * a figure for this machine, not for the backend alone. */
            ig__emit_metric(c, NULL, "power", (double)(e1 - e0) / 1e6 / (wall / 1e9), "W",
                            NAN, NAN);
            if (total_decoded > 0)
                ig__emit_metric(c, NULL, "energy_per_token",
                                (double)(e1 - e0) / 1e6 / (double)(total_decoded + total_prompt),
                                "J", NAN, NAN);
        } else {
            if (!pwhy[0])
                snprintf(pwhy, sizeof pwhy, "the energy counter wrapped during the run");
            ig__emit_info(c, "power", "%s", pwhy);
        }
        if (nprep > 0) {
            qsort(prep, (size_t)nprep, sizeof *prep, cmp_i64);
            /* The median of (first call - same call again) at a new
             * shape: noise is symmetric around the cost. */
            ig__emit_metric(c, NULL, "shape_prepare", prep[nprep / 2] / 1e6, "ms", NAN, NAN);
            ig__emit_metric(c, NULL, "shape_prepare_probes", (double)nprep, "count", NAN,
                            NAN);
        }
    }
    free(ids);
    free(itl);
    free(prep);
    free(ttfts);
    free(posv);
    free(rss_x);
    free(rss_y);
    ig__gen_close(&e);
    return 0;
}

/* ---- parity of a generation: teacher forcing --------------------------- */

enum { PARITY_PROMPT = 16, PARITY_STEPS = 128 };

static int gen_parity(ig__cellctx *c, ig__session *rs)
{
    const ig__model_ref *m = c->cell->model;
    const ig__gen_spec *g = &m->gen;
    char msg[2048] = "";
    ig__gen be, ref;
    if (ig__gen_open(&be, g, &c->s, m->path, msg, sizeof msg)) {
        ig__emit_failure(c, IG_FAIL_PREDICT_ERROR, msg);
        return 0;
    }
    if (ig__gen_open(&ref, g, rs, m->path, msg, sizeof msg)) {
        ig__gen_close(&be);
        ig__emit_failure(c, IG_FAIL_PREDICT_ERROR, msg);
        return 0;
    }
    int64_t steps = PARITY_STEPS;
    if (PARITY_PROMPT + steps > be.cap)
        steps = be.cap - PARITY_PROMPT;
    int64_t ids[PARITY_PROMPT];
    ig__gen_seeded_prompt(c->cfg->seed * 7919u + 17u, g->vocab, PARITY_PROMPT, ids);
    FILE *f = ig__open_samples(c, "-teacher",
                               "step,ref_token,backend_token,logits_linf,logits_cosine");
    /* The reference leads: both go on with its token. */
    ig__teacher_side lead = {&ref, NULL, NULL, "reference"}, follow = {&be, cell_call, c, NULL};
    ig__teacher_result tr;
    int ok = ig__gen_teacher(&lead, &follow, ids, PARITY_PROMPT, steps, f, "", &tr, msg,
                             sizeof msg) == 0;
    if (f)
        fclose(f);
    ig__gen_close(&be);
    ig__gen_close(&ref);
    if (!ok) {
        if (!strncmp(msg, "reference: ", 11))
            ig__emit_info(c, "reference", "teacher forcing stopped: %s", msg);
        return 0;
    }
    int64_t agree = tr.agree, done = tr.steps, first_diff = tr.first_diff;
    double worst_linf = tr.linf, worst_cos = tr.cosine_min;
    double rate = done ? (double)agree / (double)done : 0;
    ig__emit_metric(c, NULL, "gen_steps", (double)done, "count", NAN, NAN);
    ig__emit_metric(c, NULL, "gen_token_agreement", rate, "ratio", NAN, NAN);
    ig__emit_metric(c, NULL, "gen_first_divergence", first_diff < 0 ? NAN : (double)first_diff,
                    "step", NAN, NAN);
    ig__emit_metric(c, NULL, "gen_logits_linf", worst_linf, "abs", NAN, NAN);
    ig__emit_metric(c, NULL, "gen_logits_cosine_min", worst_cos, "ratio", NAN, NAN);
    double want_rate = isnan(g->token_agreement) ? 1.0 : g->token_agreement;
    double want_linf = !isnan(g->logits_linf) ? g->logits_linf : !isnan(m->linf) ? m->linf : 1e-2;
    int pass = rate >= want_rate && worst_linf <= want_linf;
    if (!pass) {
        char why[256];
        if (rate < want_rate)
            snprintf(why, sizeof why, "teacher-forced greedy tokens agree on %lld of %lld "
                     "steps (first difference at step %lld; %.3g needed)", (long long)agree,
                     (long long)done, (long long)first_diff, want_rate);
        else
            snprintf(why, sizeof why, "logits differ from the reference by up to %.3g "
                     "(L-infinity over %lld teacher-forced steps; %.3g allowed)", worst_linf,
                     (long long)done, want_linf);
        ig__emit_failure(c, IG_FAIL_PARITY_MISMATCH, why);
    }
    ig__emit_metric(c, NULL, "gen_parity_pass", pass, "bool", NAN, NAN);
    return pass;
}

/* ---- parity of an embedding: cosine and recall@10 ----------------------- */

enum { CORPUS = 1000, QUERIES = 100, TOPICS = 50, TOPIC_WORDS = 24, TOPK = 10 };
static int64_t corpus_size(const ig__cellctx *c)
{
    /* --samples sets the corpus (gate C's embed_corpus); at least the
     * TOPK neighbours a query needs, twice over. */
    int64_t n = c->cell->p.samples > 0 ? c->cell->p.samples : CORPUS;
    return n < 2 * TOPK ? 2 * TOPK : n;
}

typedef struct emb_io {
    int nin, ix_ids, ix_mask, ox;
    ig_tensor *in;
} emb_io;

static int emb_open(const ig__embed_spec *e, const ig__session *s, emb_io *io, char *msg,
                    size_t msglen)
{
    memset(io, 0, sizeof *io);
    io->ix_ids = io->ix_mask = io->ox = -1;
    for (int i = 0; i < s->sig.ninputs; i++) {
        if (!strcmp(s->sig.inputs[i].name, e->input_ids))
            io->ix_ids = i;
        else if (!strcmp(s->sig.inputs[i].name, e->attention_mask))
            io->ix_mask = i;
        else {
            snprintf(msg, msglen, "input '%s' is neither embedding.input_ids nor "
                     "embedding.attention_mask", s->sig.inputs[i].name);
            return IG_EINVAL;
        }
    }
    for (int i = 0; i < s->sig.noutputs; i++)
        if (!strcmp(s->sig.outputs[i].name, e->output))
            io->ox = i;
    if (io->ix_ids < 0 || io->ox < 0) {
        snprintf(msg, msglen, "no %s '%s' (embedding.%s)", io->ix_ids < 0 ? "input" : "output",
                 io->ix_ids < 0 ? e->input_ids : e->output,
                 io->ix_ids < 0 ? "input_ids" : "output");
        return IG_EINVAL;
    }
    io->nin = s->sig.ninputs;
    io->in = calloc((size_t)io->nin, sizeof *io->in);
    if (!io->in)
        return IG_ENOMEM;
    for (int i = 0; i < io->nin; i++) {
        int dt = s->sig.inputs[i].dtype ? s->sig.inputs[i].dtype : IG_DT_INT64;
        if (dt != IG_DT_INT64 && dt != IG_DT_INT32) {
            snprintf(msg, msglen, "input '%s' is %s; token ids and masks are int64 or int32",
                     s->sig.inputs[i].name, ig_dtype_name(dt));
            return IG_EINVAL;
        }
        if (ig_tensor_set_shape(&io->in[i], dt, 2, (int64_t[]){1, e->seq_len}) ||
            ig_tensor_alloc(&io->in[i]))
            return IG_ENOMEM;
    }
    return 0;
}

static void emb_close(emb_io *io)
{
    for (int i = 0; io->in && i < io->nin; i++)
        ig_tensor_release(&io->in[i]);
    free(io->in);
    io->in = NULL;
}

static void put(ig_tensor *t, int64_t k, int64_t v)
{
    if (t->dtype == IG_DT_INT32)
        ((int32_t *)t->data)[k] = (int32_t)v;
    else
        ((int64_t *)t->data)[k] = v;
}

/* One sentence embedded: tok[0..len) padded to seq_len; the output,
 * L2-normalised into vec (dim floats).  A wrong output size is an error
 * that names both dimensions. */
static int emb_run(ig__cellctx *c, emb_io *io, ig__session *s, const ig__embed_spec *e,
                   const int64_t *tok, int64_t len, float *vec, char *msg, size_t msglen)
{
    for (int64_t k = 0; k < e->seq_len; k++) {
        put(&io->in[io->ix_ids], k, k < len ? tok[k] : e->pad_id);
        if (io->ix_mask >= 0)
            put(&io->in[io->ix_mask], k, k < len);
    }
    int rc = c ? cell_call(c, s, io->in, io->nin, msg, msglen)
               : ig__session_predict(s, io->in, io->nin, msg, msglen);
    if (rc)
        return rc;
    const ig_tensor *o = &s->outputs[io->ox];
    if (o->dtype != IG_DT_FLOAT || o->numel != e->dim) {
        char sh[128];
        snprintf(msg, msglen, "output '%s' has %lld values (shape %s), the model's embedding "
                 "dimension is %lld", e->output, (long long)o->numel,
                 ig_tensor_shape_str(o, sh, sizeof sh), (long long)e->dim);
        return IG_EINVAL;
    }
    double n2 = 0;
    const float *v = o->data;
    for (int64_t k = 0; k < e->dim; k++)
        n2 += (double)v[k] * v[k];
    double inv = n2 > 0 ? 1 / sqrt(n2) : 0;
    for (int64_t k = 0; k < e->dim; k++)
        vec[k] = (float)(v[k] * inv);
    return 0;
}

/* A synthetic sentence about one of TOPICS topics: most words from the
 * topic's own list, the rest anywhere in the vocabulary, so neighbours
 * exist and retrieval means something. */
static int64_t sentence(ig__rng *r, const ig__embed_spec *e, int64_t *tok)
{
    int64_t topic = (int64_t)ig__rng_below(r, TOPICS);
    int64_t lo = e->seq_len < 6 ? 1 : 6;
    int64_t len = lo + (int64_t)ig__rng_below(r, (uint64_t)(e->seq_len - lo + 1));
    uint64_t span = (uint64_t)(e->vocab > 1 ? e->vocab - 1 : 1);
    for (int64_t k = 0; k < len; k++) {
        uint64_t w = ig__rng_uniform(r) < 0.7
                         ? (uint64_t)(topic * 37 + (int64_t)ig__rng_below(r, TOPIC_WORDS) * 101)
                         : ig__rng_next(r);
        tok[k] = e->vocab > 1 ? 1 + (int64_t)(w % span) : 0;
    }
    return len;
}

/* The TOPK nearest corpus vectors of q (dot products of unit vectors). */
static void topk(const float *corpus, int64_t n, int64_t dim, const float *q, int64_t *out)
{
    double best[TOPK];
    for (int k = 0; k < TOPK; k++)
        best[k] = -INFINITY, out[k] = -1;
    for (int64_t i = 0; i < n; i++) {
        double d = 0;
        for (int64_t k = 0; k < dim; k++)
            d += (double)corpus[i * dim + k] * q[k];
        if (!(d > best[TOPK - 1]))
            continue;
        int at = TOPK - 1;
        while (at > 0 && d > best[at - 1]) {
            best[at] = best[at - 1];
            out[at] = out[at - 1];
            at--;
        }
        best[at] = d;
        out[at] = i;
    }
}

static int embed_parity(ig__cellctx *c, ig__session *rs)
{
    const ig__model_ref *m = c->cell->model;
    const ig__embed_spec *e = &m->emb;
    char msg[2048] = "";
    emb_io bio, rio;
    int rc = emb_open(e, &c->s, &bio, msg, sizeof msg);
    if (rc == 0)
        rc = emb_open(e, rs, &rio, msg, sizeof msg);
    const int64_t corpus = corpus_size(c);
    int64_t n = corpus + QUERIES, dim = e->dim;
    float *bv = rc ? NULL : malloc(sizeof *bv * (size_t)(n * dim));
    float *rv = rc ? NULL : malloc(sizeof *rv * (size_t)(n * dim));
    int64_t *tok = malloc(sizeof *tok * (size_t)e->seq_len);
    if (rc == 0 && (!bv || !rv || !tok))
        rc = IG_ENOMEM;
    ig__rng r;
    ig__rng_seed(&r, c->cfg->seed * 31337u + 5u);
    double cos_min = 1, cos_sum = 0;
    int64_t done = 0;
    for (int64_t i = 0; rc == 0 && i < n; i++) {
        int64_t len = sentence(&r, e, tok);
        rc = emb_run(NULL, &rio, rs, e, tok, len, rv + i * dim, msg, sizeof msg);
        if (rc) {
            char m2[2100];
            snprintf(m2, sizeof m2, "reference: %s", msg);
            snprintf(msg, sizeof msg, "%s", m2);
            break;
        }
        rc = emb_run(c, &bio, &c->s, e, tok, len, bv + i * dim, msg, sizeof msg);
        if (rc)
            break;
        double co = ig__cosine_f32(bv + i * dim, rv + i * dim, dim);
        cos_sum += co;
        if (!(co >= cos_min))
            cos_min = co;
        done++;
    }
    int pass = 0;
    if (rc) {
        if (rc == IG_EINVAL && strncmp(msg, "reference: ", 11))
            ig__emit_failure(c, IG_FAIL_PARITY_MISMATCH, msg);
        else
            ig__emit_info(c, "reference", "embedding parity stopped: %s", msg);
    } else {
        /* recall@10 per query: the backend's neighbours (its queries in
         * its corpus) against the reference's. */
        FILE *f = ig__open_samples(c, "-recall", "query,recall_at_10,cosine");
        double rsum = 0, rmin = 1;
        int64_t full = 0;
        for (int64_t q = 0; q < QUERIES; q++) {
            int64_t a[TOPK], b[TOPK], hit = 0;
            topk(bv, corpus, dim, bv + (corpus + q) * dim, b);
            topk(rv, corpus, dim, rv + (corpus + q) * dim, a);
            for (int i = 0; i < TOPK; i++)
                for (int j = 0; j < TOPK; j++)
                    hit += b[i] >= 0 && b[i] == a[j];
            double rec = (double)hit / TOPK;
            rsum += rec;
            if (rec < rmin)
                rmin = rec;
            full += hit == TOPK;
            if (f)
                fprintf(f, "%lld,%.3f,%.9g\n", (long long)q, rec,
                        ig__cosine_f32(bv + (corpus + q) * dim, rv + (corpus + q) * dim, dim));
        }
        if (f)
            fclose(f);
        double recall = rsum / QUERIES;
        ig__emit_metric(c, NULL, "embed_vectors", (double)done, "count", NAN, NAN);
        ig__emit_metric(c, NULL, "embed_corpus", (double)corpus, "count", NAN, NAN);
        ig__emit_metric(c, NULL, "embed_cosine_min", cos_min, "ratio", NAN, NAN);
        ig__emit_metric(c, NULL, "embed_cosine_mean", cos_sum / (double)done, "ratio", NAN,
                        NAN);
        ig__emit_metric(c, NULL, "recall_at_10", recall, "ratio", NAN, NAN);
        ig__emit_metric(c, NULL, "recall_at_10_min", rmin, "ratio", NAN, NAN);
        ig__emit_metric(c, NULL, "recall_at_10_full", (double)full / QUERIES, "ratio", NAN,
                        NAN);
        double want_cos = isnan(e->cosine_min) ? 0.999 : e->cosine_min;
        double want_rec = isnan(e->recall_at_10) ? 0.95 : e->recall_at_10;
        pass = cos_min >= want_cos && recall >= want_rec;
        if (!pass) {
            char why[256];
            if (cos_min < want_cos)
                snprintf(why, sizeof why, "an embedding's cosine similarity to the reference's "
                         "is %.6f (%.6f needed, %lld vectors)", cos_min, want_cos,
                         (long long)done);
            else
                snprintf(why, sizeof why, "recall@10 against the reference's neighbours is "
                         "%.3f (%.3f needed, %d queries in %lld sentences)", recall, want_rec,
                         QUERIES, (long long)corpus);
            ig__emit_failure(c, IG_FAIL_PARITY_MISMATCH, why);
        }
    }
    ig__emit_metric(c, NULL, "embed_parity_pass", pass, "bool", NAN, NAN);
    free(bv);
    free(rv);
    free(tok);
    emb_close(&bio);
    emb_close(&rio);
    return pass;
}

int ig__parity_workload(ig__cellctx *c, ig__session *rs)
{
    const ig__model_ref *m = c->cell->model;
    if (m->gen.kv != IG_KV_NONE)
        return gen_parity(c, rs);
    if (m->emb.on)
        return embed_parity(c, rs);
    return -1;
}

/* ---- concurrency: K sequences decoding at once ------------------------- */

/* Static batching as a server without a batch axis does it: K threads,
 * each decoding its own sequence on the one loaded model (one shared
 * instance when the adapter declares thread-safe predict, else one
 * instance each of the same model).  Each thread's first sequence must
 * give the tokens the same prompt gives single-threaded: parity under
 * load for a generation. */
typedef struct gen_thread {
    ig__cellctx *c;
    ig__session own;         /* the thread's session (or view of the shared one) */
    int shared, started;
    int64_t prompt[32], want[256], ngen;
    double dur;
    int64_t tokens, seqs, bad, errors;
    char msg[512];
} gen_thread;

static void *gen_main(void *arg)
{
    gen_thread *t = arg;
    const ig__gen_spec *g = &t->c->cell->model->gen;
    ig__gen e;
    if (ig__gen_open(&e, g, &t->own, t->c->cell->model->path, t->msg, sizeof t->msg)) {
        t->errors++;
        return NULL;
    }
    uint64_t t0 = ig__now_ns();
    do {
        uint64_t ttft;
        int64_t tok = prefill(NULL, &e, t->prompt, 32, &ttft, t->msg, sizeof t->msg);
        int ok = tok >= 0, same = ok && tok == t->want[0];
        for (int64_t s = 1; ok && s < t->ngen; s++) {
            ok = ig__gen_step(&e, &tok, 1, NULL, NULL, NULL, t->msg, sizeof t->msg) == 0;
            if (ok) {
                tok = ig__gen_argmax(&e);
                t->tokens++;
                same &= tok == t->want[s];
            }
        }
        if (!ok) {
            t->errors++;
            break;
        }
        if (t->seqs == 0 && !same)
            t->bad++;
        t->seqs++;
    } while ((ig__now_ns() - t0) / 1e9 < t->dur);
    ig__gen_close(&e);
    return NULL;
}

int ig__suite_generate_concurrent(ig__cellctx *c)
{
    const ig__model_ref *m = c->cell->model;
    int K = c->cell->p.threads > 0 ? c->cell->p.threads : 2;
    double dur = c->cell->p.duration_s > 0 ? c->cell->p.duration_s : 2.0;
    int64_t ngen = c->cell->p.gen_tokens > 0 ? c->cell->p.gen_tokens : 32;
    if (ngen > 256)
        ngen = 256;
    if (32 + ngen > m->gen.max_context)
        ngen = m->gen.max_context - 32;
    char msg[1024] = "";
    gen_thread *ts = calloc((size_t)K, sizeof *ts);
    pthread_t *th = calloc((size_t)K, sizeof *th);
    ig__gen e;
    if (!ts || !th || ngen < 2 || ig__gen_open(&e, &m->gen, &c->s, m->path, msg, sizeof msg)) {
        if (ngen < 2)
            ig__emit_info(c, "concurrency", "max_context leaves no room to decode");
        else if (msg[0])
            ig__emit_failure(c, IG_FAIL_PREDICT_ERROR, msg);
        free(ts), free(th);
        return ts && th ? 0 : IG_ENOMEM;
    }
    int shared = (c->be->t->flags & IG_BACKEND_THREADSAFE_PREDICT) != 0;
    /* Each thread's prompt and its single-threaded tokens first. */
    for (int i = 0; i < K; i++) {
        gen_thread *t = &ts[i];
        t->c = c;
        t->dur = dur;
        t->ngen = ngen;
        t->shared = shared;
        ig__gen_seeded_prompt(c->cfg->seed * 65537u + (uint64_t)i, m->gen.vocab, 32, t->prompt);
        uint64_t ttft;
        int64_t tok = prefill(c, &e, t->prompt, 32, &ttft, msg, sizeof msg);
        for (int64_t s = 0; tok >= 0 && s < ngen; s++) {
            t->want[s] = tok;
            if (s + 1 < ngen && ig__gen_step(&e, &tok, 1, cell_call, c, NULL, msg, sizeof msg))
                tok = -1;
            else
                tok = ig__gen_argmax(&e);
        }
        if (tok < 0) {
            ig__gen_close(&e);
            free(ts), free(th);
            return 0; /* the failure was counted by the call */
        }
    }
    ig__gen_close(&e);
    int started = 0;
    for (int i = 0; i < K; i++) {
        gen_thread *t = &ts[i];
        if (shared) {
            t->own = c->s;
            t->own.outputs = calloc((size_t)c->s.sig.noutputs + 1, sizeof(ig_tensor));
            if (!t->own.outputs)
                continue;
        } else {
            int rc = ig__session_read(&t->own, c->be, m->path, msg, sizeof msg);
            if (rc == 0)
                rc = ig__session_prepare(&t->own, m->path, c->in, c->s.sig.ninputs, msg,
                                         sizeof msg);
            if (rc) {
                ig__emit_failure(c, IG_FAIL_LOAD_ERROR, msg);
                continue;
            }
        }
        if (pthread_create(&th[i], NULL, gen_main, t) == 0) {
            started++;
            t->started = 1;
        }
    }
    uint64_t t0 = ig__now_ns();
    for (int i = 0; i < K; i++)
        if (ts[i].started)
            pthread_join(th[i], NULL);
    double el = (ig__now_ns() - t0) / 1e9;
    int64_t tokens = 0, seqs = 0, bad = 0, errors = 0;
    for (int i = 0; i < K; i++) {
        tokens += ts[i].tokens;
        seqs += ts[i].seqs;
        bad += ts[i].bad;
        errors += ts[i].errors;
        if (ts[i].errors > 0 && ts[i].msg[0])
            ig__emit_failure(c, IG_FAIL_PREDICT_ERROR, ts[i].msg);
        if (shared)
            free(ts[i].own.outputs);
        else if (ts[i].own.be)
            ig__session_close(&ts[i].own);
    }
    if (bad)
        ig__emit_failure(c, IG_FAIL_PARITY_MISMATCH, "a sequence decoded under concurrent load "
                         "gave other tokens than the same prompt single-threaded");
    ig__emit_metric(c, NULL, "threads", K, "count", NAN, NAN);
    ig__emit_metric(c, NULL, "threads_started", started, "count", NAN, NAN);
    ig__emit_metric(c, NULL, "shared_instance", shared, "bool", NAN, NAN);
    ig__emit_metric(c, NULL, "sequences", (double)seqs, "count", NAN, NAN);
    ig__emit_metric(c, NULL, "concurrent_decode_tps", el > 0 ? tokens / el : 0, "tok/s", NAN,
                    NAN);
    ig__emit_metric(c, NULL, "decode_tps_per_sequence", el > 0 && K ? tokens / el / K : 0,
                    "tok/s", NAN, NAN);
    ig__emit_metric(c, NULL, "throughput", el > 0 ? (double)seqs / el : 0, "seq/s", NAN, NAN);
    ig__emit_metric(c, NULL, "parity_under_load_mismatches", (double)bad, "count", NAN, NAN);
    (void)errors;
    return 0;
}
