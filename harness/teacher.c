/* teacher.c — two greedy decoders stepped together under teacher forcing
 * (see teacher.h).  The lead steps first and its token is fed to both:
 * the lead is the side whose tokens are the truth (the reference, the
 * fp32 original). */
#include <math.h>
#include <string.h>

#include "parity.h"
#include "teacher.h"
#include "../stats/stats.h"

void ig__gen_seeded_prompt(uint64_t seed, int64_t vocab, int64_t n, int64_t *out)
{
    ig__rng r;
    ig__rng_seed(&r, seed);
    for (int64_t i = 0; i < n; i++)
        out[i] = vocab > 1 ? 1 + (int64_t)ig__rng_below(&r, (uint64_t)(vocab - 1)) : 0;
}

static int side_step(const ig__teacher_side *s, const int64_t *ids, int64_t n, char *msg,
                     size_t msglen)
{
    int rc = ig__gen_step(s->e, ids, n, s->call, s->user, NULL, msg, msglen);
    if (rc && s->name) {
        char m2[1800];
        snprintf(m2, sizeof m2, "%s: %s", s->name, msg);
        snprintf(msg, msglen, "%s", m2);
    }
    return rc;
}

/* The prompt into the side's empty cache, in its own layout: a variant
 * may keep the cache another way than its original. */
static int prefill(const ig__teacher_side *s, const int64_t *ids, int64_t n, char *msg,
                   size_t msglen)
{
    if (s->e->g->kv == IG_KV_DYNAMIC)
        return side_step(s, ids, n, msg, msglen);
    int rc = 0;
    for (int64_t i = 0; rc == 0 && i < n; i++)
        rc = side_step(s, ids + i, 1, msg, msglen);
    return rc;
}

static int both_step(const ig__teacher_side *lead, const ig__teacher_side *follow,
                     const int64_t *ids, int64_t n, char *msg, size_t msglen)
{
    int rc = side_step(lead, ids, n, msg, msglen);
    return rc ? rc : side_step(follow, ids, n, msg, msglen);
}

int ig__gen_teacher(const ig__teacher_side *lead, const ig__teacher_side *follow,
                    const int64_t *prompt, int64_t plen, int64_t steps, FILE *samples,
                    const char *row_prefix, ig__teacher_result *r, char *msg, size_t msglen)
{
    memset(r, 0, sizeof *r);
    r->first_diff = -1;
    r->cosine_min = 1;
    int64_t vocab = lead->e->g->vocab;
    if (follow->e->g->vocab != vocab) {
        snprintf(msg, msglen, "the two models' vocabularies differ (%lld and %lld tokens)",
                 (long long)vocab, (long long)follow->e->g->vocab);
        return IG_EINVAL;
    }
    /* Both logits are read in place: an adapter's outputs stay valid until
     * the next predict on the same instance (infergate/backend.h), and the
     * two sides are two instances. */
    ig__gen_reset(lead->e);
    ig__gen_reset(follow->e);
    int rc = prefill(lead, prompt, plen, msg, msglen);
    if (rc == 0)
        rc = prefill(follow, prompt, plen, msg, msglen);
    for (int64_t s = 0; rc == 0 && s < steps; s++) {
        const float *fl = follow->e->logits, *ll = lead->e->logits;
        int64_t lt = ig__gen_argmax(lead->e), ft = ig__gen_argmax(follow->e);
        double li = ig__linf_f32(fl, ll, vocab), co = ig__cosine_f32(fl, ll, vocab);
        if (!(li <= r->linf))
            r->linf = li;
        if (!(co >= r->cosine_min))
            r->cosine_min = co;
        r->agree += lt == ft;
        if (lt != ft && r->first_diff < 0)
            r->first_diff = s;
        r->steps++;
        if (samples)
            fprintf(samples, "%s%lld,%lld,%lld,%.9g,%.9g\n", row_prefix, (long long)s,
                    (long long)lt, (long long)ft, li, co);
        /* Teacher forcing: both go on with the lead's token. */
        if (s + 1 < steps)
            rc = both_step(lead, follow, &lt, 1, msg, msglen);
    }
    return rc;
}
