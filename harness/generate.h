/* generate.h — greedy decoding through the adapter ABI: each step is one
 * predict, the KV cache fed back from the model's present outputs into
 * its past inputs, in the dynamic or the static layout (workload.h).
 *
 * The engine owns the step's input tensors and copies each present output
 * into the next step's past input after the predict: the copy is the
 * harness's, not the backend's, so it is kept out of the timed call (an
 * application with I/O binding would not copy at all).  It stays correct
 * when an adapter's outputs alias its own buffers, which a hand-over of
 * the output pointers would not be. */
#ifndef IG_HARNESS_GENERATE_H
#define IG_HARNESS_GENERATE_H

#include <stddef.h>
#include <stdint.h>

#include "session.h"
#include "workload.h"

typedef struct ig__gen {
    const ig__gen_spec *g;     /* borrowed */
    ig__session *s;            /* borrowed: read, prepared, loaded */
    int nin;
    ig_tensor *in;             /* owned: one per graph input */
    int ix_ids, ix_mask, ix_pos;         /* -1 when the model has none */
    int ix_past[2 * 64], ox_present[2 * 64];  /* layer*2 + (0 key, 1 value) */
    int ox_logits;
    int64_t pos;               /* positions in the cache */
    int64_t cap;               /* positions the cache may hold */
    const float *logits;       /* the last position's logits after a step */
    uint64_t step_ns;          /* the last step's predict, wall time */
} ig__gen;

/* Maps the spec's names to s's inputs and outputs and checks them (dtype,
 * rank, the KV dims against the spec); IG_EINVAL naming path and the
 * tensor when the model does not match its manifest entry. */
int ig__gen_open(ig__gen *e, const ig__gen_spec *g, ig__session *s, const char *path,
                 char *msg, size_t msglen);
/* Empties the cache: the next step starts a new sequence. */
void ig__gen_reset(ig__gen *e);
/* Runs one predict over tokens[0..n) at the next positions (dynamic: any n
 * while it fits; static: n must be 1), then feeds the cache back.  call
 * wraps the predict (the cell's watchdog); NULL for none.  With repeat_ns
 * the predict runs a second time on the same inputs before the feedback,
 * and *repeat_ns is its time: against step_ns, what preparing the step's
 * new shapes cost (the dynamic layout's shapes change every step). */
typedef int (*ig__gen_call)(void *user, ig__session *s, const ig_tensor *in, int nin,
                            char *msg, size_t msglen);
int ig__gen_step(ig__gen *e, const int64_t *tokens, int64_t n, ig__gen_call call, void *user,
                 uint64_t *repeat_ns, char *msg, size_t msglen);
/* The greedy token of the last step's logits (first maximum; NaN never
 * wins). */
int64_t ig__gen_argmax(const ig__gen *e);
/* Bytes of KV cache the model reads at the current position. */
uint64_t ig__gen_kv_bytes(const ig__gen *e);
void ig__gen_close(ig__gen *e);

#endif
