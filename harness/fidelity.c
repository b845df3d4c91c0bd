/* fidelity.c — the first of the compression lab's two questions (issue 17,
 * docs/compress.md): how far did the compression move the answers?  The
 * compressed variant, run on the reference, against its fp32 original run
 * on the reference, on the same inputs: the compression's cost, whatever
 * backend the cell is about.  The second question, whether the backend
 * computes the compressed model correctly, is the parity suite's usual
 * comparison of the backend with the reference on the variant itself.
 * Keeping the two apart is the point: a miss here is the compression's,
 * never the backend's, and takes no credit from the backend's speed.
 *
 * A generative variant is also measured as it is used, token by token:
 * the variant and the original decode the same seeded prompts under
 * teacher forcing (teacher.c), the original leading, so its greedy token
 * is fed to both and every step is compared. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models.h"
#include "parity.h"
#include "run.h"
#include "teacher.h"

/* The share of rows (over the last axis) whose largest element is at the
 * same index in both: top-1 agreement of a classifier's scores. */
static double top1(const ig_tensor *a, const ig_tensor *b)
{
    if (a->dtype != IG_DT_FLOAT || b->dtype != IG_DT_FLOAT || a->numel != b->numel ||
        a->rank < 1 || a->numel == 0)
        return NAN;
    int64_t w = a->dims[a->rank - 1];
    if (w < 2)
        return NAN;
    int64_t rows = a->numel / w, same = 0;
    const float *x = a->data, *y = b->data;
    for (int64_t r = 0; r < rows; r++) {
        int64_t ia = 0, ib = 0;
        for (int64_t k = 1; k < w; k++) {
            if (x[r * w + k] > x[r * w + ia])
                ia = k;
            if (y[r * w + k] > y[r * w + ib])
                ib = k;
        }
        same += ia == ib;
    }
    return (double)same / (double)rows;
}

enum { FID_PROMPTS = 4, FID_PROMPT = 16, FID_STEPS = 128 };

/* Token agreement of a generative variant with its original, both on the
 * reference backend rb: FID_PROMPTS seeded prompts, FID_STEPS
 * teacher-forced steps each.  os: the original's session (read, prepared);
 * og: the generate spec its engine is opened with.  Says in an info line
 * why nothing was measured when a step fails. */
static void token_fidelity(ig__cellctx *c, ig__be *rb, ig__session *os, const char *opath,
                           const ig__gen_spec *og)
{
    const ig__model_ref *m = c->cell->model;
    char msg[2048] = "";
    ig__session vs;
    memset(&vs, 0, sizeof vs);
    ig__gen oe, ve;
    int oe_open = 0, ve_open = 0;
    int rc = ig__session_read(&vs, rb, m->path, msg, sizeof msg);
    if (rc == 0)
        rc = ig__session_prepare(&vs, m->path, c->in, c->s.sig.ninputs, msg, sizeof msg);
    if (rc == 0 && (rc = ig__gen_open(&oe, og, os, opath, msg, sizeof msg)) == 0)
        oe_open = 1;
    if (rc == 0 && (rc = ig__gen_open(&ve, &m->gen, &vs, m->path, msg, sizeof msg)) == 0)
        ve_open = 1;
    int64_t steps = FID_STEPS;
    if (rc == 0) {
        int64_t cap = oe.cap < ve.cap ? oe.cap : ve.cap;
        if (FID_PROMPT + steps > cap)
            steps = cap - FID_PROMPT;
        if (steps < 1) {
            snprintf(msg, sizeof msg, "max_context %lld leaves no room to decode after a "
                     "prompt of %d tokens", (long long)cap, FID_PROMPT);
            rc = IG_EINVAL;
        }
    }
    FILE *f = rc ? NULL
                 : ig__open_samples(c, "-fidelity-tokens", "prompt,step,original_token,"
                                    "variant_token,logits_linf,logits_cosine");
    ig__teacher_side lead = {&oe, NULL, NULL, "the original"}, follow = {&ve, NULL, NULL,
                                                                         "the variant"};
    int64_t done = 0, agree = 0, free_run = 0, first = -1, diverged = 0;
    double cos_min = 1;
    for (int k = 0; rc == 0 && k < FID_PROMPTS; k++) {
        int64_t ids[FID_PROMPT];
        /* gen_parity's seeding, one prompt further per k. */
        ig__gen_seeded_prompt(c->cfg->seed * 7919u + 17u + (uint64_t)k * 104729u, og->vocab,
                              FID_PROMPT, ids);
        char pfx[24];
        snprintf(pfx, sizeof pfx, "%d,", k);
        ig__teacher_result tr;
        rc = ig__gen_teacher(&lead, &follow, ids, FID_PROMPT, steps, f, pfx, &tr, msg,
                             sizeof msg);
        if (rc)
            break;
        done += tr.steps;
        agree += tr.agree;
        /* Free-running: the tokens are the same up to the first
         * difference, which teacher forcing finds (teacher.h). */
        free_run += tr.first_diff < 0 ? tr.steps : tr.first_diff;
        if (tr.first_diff >= 0) {
            diverged++;
            if (first < 0 || tr.first_diff < first)
                first = tr.first_diff;
        }
        if (!(tr.cosine_min >= cos_min))
            cos_min = tr.cosine_min;
    }
    if (f)
        fclose(f);
    if (rc || done == 0) {
        ig__emit_info(c, "fidelity_tokens", "not measured: %s", msg[0] ? msg : "no step ran");
    } else {
        ig__emit_metric(c, NULL, "fidelity_gen_steps", (double)done, "count", NAN, NAN);
        ig__emit_metric(c, NULL, "fidelity_token_agreement", (double)agree / (double)done,
                        "ratio", NAN, NAN);
        ig__emit_metric(c, NULL, "fidelity_free_agreement", (double)free_run / (double)done,
                        "ratio", NAN, NAN);
        ig__emit_metric(c, NULL, "fidelity_first_divergence", first < 0 ? NAN : (double)first,
                        "step", NAN, NAN);
        ig__emit_metric(c, NULL, "fidelity_diverged_prompts", (double)diverged, "count", NAN,
                        NAN);
        ig__emit_metric(c, NULL, "fidelity_logits_cosine_min", cos_min, "ratio", NAN, NAN);
        ig__emit_info(c, "fidelity_tokens", "teacher-forced greedy tokens of the variant "
                      "against the fp32 original's, both on the reference: %d seeded prompts "
                      "of %d tokens, %lld steps each", FID_PROMPTS, FID_PROMPT,
                      (long long)steps);
    }
    if (ve_open)
        ig__gen_close(&ve);
    if (oe_open)
        ig__gen_close(&oe);
    ig__session_close(&vs);
}

int ig__parity_fidelity(ig__cellctx *c, const ig_tensor *variant_out, int nout)
{
    const ig__model_ref *m = c->cell->model;
    if (!m->variant_of[0])
        return -1;
    char msg[2048] = "";
    ig__model_ref orig;
    /* variant_of is a fixture name, or the path of the fp32 model (a
     * user's variant beside its original). */
    int rc = ig__model_resolve(m->variant_of, ig__fixtures_dir(), &orig, msg, sizeof msg);
    ig__be *rb = NULL;
    ig__session os;
    memset(&os, 0, sizeof os);
    if (rc == 0)
        rc = ig__backend_open("reference", &rb, msg, sizeof msg);
    if (rc == 0)
        rc = ig__session_read(&os, rb, orig.path, msg, sizeof msg);
    if (rc == 0 && os.sig.noutputs != nout) {
        snprintf(msg, sizeof msg, "the original has %d outputs, the variant %d",
                 os.sig.noutputs, nout);
        rc = IG_EINVAL;
    }
    if (rc == 0)
        rc = ig__session_prepare(&os, orig.path, c->in, c->s.sig.ninputs, msg, sizeof msg);
    if (rc == 0)
        rc = ig__session_predict(&os, c->in, c->s.sig.ninputs, msg, sizeof msg);
    int pass = -1;
    if (rc) {
        ig__emit_info(c, "fidelity", "not measured: the fp32 original '%s': %s",
                      m->variant_of, msg);
    } else {
        double worst_abs = 0, worst_cos = 1, worst_top = NAN;
        for (int k = 0; k < nout; k++) {
            ig__parity p;
            ig__parity_compare(&variant_out[k], &os.outputs[k], 0, 0, &p);
            if (!p.shape_ok) {
                worst_abs = INFINITY, worst_cos = 0;
                continue;
            }
            if (!(p.max_abs <= worst_abs))
                worst_abs = p.max_abs;
            if (!(p.cosine >= worst_cos))
                worst_cos = p.cosine;
            /* Top-1 means something for a classifier's scores only. */
            double t = strstr(m->task, "classification") ? top1(&variant_out[k], &os.outputs[k])
                                                         : NAN;
            if (!isnan(t) && !(t >= worst_top))
                worst_top = t;
        }
        ig__emit_metric(c, NULL, "fidelity_max_abs", worst_abs, "abs", NAN, NAN);
        ig__emit_metric(c, NULL, "fidelity_cosine", worst_cos, "ratio", NAN, NAN);
        if (!isnan(worst_top))
            ig__emit_metric(c, NULL, "fidelity_top1", worst_top, "ratio", NAN, NAN);
        /* The sizes of the two files: what the compression bought. */
        uint64_t ob = (uint64_t)os.len, vb = (uint64_t)c->s.len;
        ig__emit_metric(c, NULL, "size_bytes", (double)vb, "bytes", NAN, NAN);
        ig__emit_metric(c, NULL, "original_size_bytes", (double)ob, "bytes", NAN, NAN);
        ig__emit_metric(c, NULL, "size_ratio", vb ? (double)ob / (double)vb : NAN, "x", NAN,
                        NAN);
        ig__emit_info(c, "fidelity", "the %s variant of %s, on the reference, against the fp32 "
                      "original on the same inputs", m->scheme[0] ? m->scheme : "compressed",
                      m->variant_of);
        pass = 1;
        /* A generation: the spec of the original's manifest entry, else
         * (an original given as a file) the variant's own. */
        if (m->gen.kv != IG_KV_NONE)
            token_fidelity(c, rb, &os, orig.path,
                           orig.gen.kv != IG_KV_NONE ? &orig.gen : &m->gen);
    }
    ig__session_close(&os);
    if (rb)
        ig__backend_close(rb);
    return pass;
}
