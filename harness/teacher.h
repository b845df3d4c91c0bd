/* teacher.h — teacher forcing: two greedy decoders (ig__gen) stepped
 * together over one prompt, both fed the lead's greedy token at every
 * step, so every step is compared even after their tokens first differ.
 * The backend against the reference (parity of a generation,
 * suite_generate.c) and a compressed variant against its fp32 original
 * (fidelity of a generation, fidelity.c) are both this loop.
 *
 * Until the first difference both decoders have been fed the same tokens,
 * so up to that step the teacher-forced run is the free-running one: the
 * first differing step is where two free greedy decodes part, and no
 * second, unforced run is needed to know it. */
#ifndef IG_HARNESS_TEACHER_H
#define IG_HARNESS_TEACHER_H

#include <stdint.h>
#include <stdio.h>

#include "generate.h"

/* One of the two decoders. */
typedef struct ig__teacher_side {
    ig__gen *e;            /* borrowed: opened on its session */
    ig__gen_call call;     /* wraps its predicts (a cell's watchdog); NULL: none */
    void *user;            /* borrowed: call's first argument */
    const char *name;      /* borrowed: prefixes its errors ("NAME: ..."); NULL: none */
} ig__teacher_side;

typedef struct ig__teacher_result {
    int64_t steps;         /* steps compared */
    int64_t agree;         /* steps whose greedy tokens are equal */
    int64_t first_diff;    /* the first step whose tokens differ; -1: none */
    double linf;           /* the largest logits L-infinity over the steps (NaN wins) */
    double cosine_min;     /* the lowest logits cosine over the steps */
} ig__teacher_result;

/* n seeded token ids in [1, vocab) into out: 0 is often a pad or special
 * token. */
void ig__gen_seeded_prompt(uint64_t seed, int64_t vocab, int64_t n, int64_t *out);

/* Empties both caches, feeds prompt[0..plen) to each (its dynamic layout:
 * one step; static: one step per token), then compares steps greedy tokens and
 * logits, the lead's first; after each step but the last both are fed the
 * lead's token.  With samples, one line per step: row_prefix (borrowed,
 * may be ""), then "step,lead_token,follow_token,logits_linf,
 * logits_cosine".  r holds the steps compared before an error too.
 * Returns 0, or the failing step's code with msg naming the side. */
int ig__gen_teacher(const ig__teacher_side *lead, const ig__teacher_side *follow,
                    const int64_t *prompt, int64_t plen, int64_t steps, FILE *samples,
                    const char *row_prefix, ig__teacher_result *r, char *msg, size_t msglen);

#endif
