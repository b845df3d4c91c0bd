/* test_ops_recent.c — unit tests of the recent-opset kernel group
 * (k_recent_*.c): GroupNormalization, RMSNormalization, RotaryEmbedding,
 * Attention, Swish, the Bitwise ops, CenterCropPad, Col2Im, AffineGrid
 * and LpPool.
 *
 * Each test builds one node with ktest.h and runs infer + alloc + run as
 * the planner does.  Expected values are worked out by hand from the
 * spec's formulas (the arithmetic is in the comments); the cases are
 * chosen so that a plausible misreading (Tile instead of grouped heads in
 * GQA, halves instead of interleaved pairs, per-group instead of
 * per-channel scale, crop rounded the wrong way) gives a different
 * answer.  Refusals check the code and that the message names the
 * attribute or input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../backends/kernels/common/dtypes.h"
#include "../../backends/kernels/ops.h"
#include "ktest.h"
#include "kharness.h"

/* ---- helpers ------------------------------------------------------------ */

#define FL(...) ((const float[]){__VA_ARGS__})
#define NFL(...) ((int64_t)(sizeof((float[]){__VA_ARGS__}) / sizeof(float)))
#define CLOSE(t, ...)                                                          \
    do {                                                                       \
        assert_int_equal((t)->numel, NFL(__VA_ARGS__));                        \
        assert_true(kt_close((const float *)(t)->data, FL(__VA_ARGS__),        \
                             NFL(__VA_ARGS__), 1e-6, 1e-6));                   \
    } while (0)
#define MSG_HAS(s) assert_non_null(strstr(msg, s))

/* ---- registry ----------------------------------------------------------- */

static void test_registry(void **state)
{
    (void)state;
    /* Each name resolves to this group's kernel, not to an older group's. */
    static const struct {
        const char *name;
        const ig__op *op;
    } ops[] = {{"GroupNormalization", &ig__op_GroupNormalization},
               {"RMSNormalization", &ig__op_RMSNormalization},
               {"RotaryEmbedding", &ig__op_RotaryEmbedding},
               {"Attention", &ig__op_Attention},
               {"Swish", &ig__op_Swish},
               {"BitwiseAnd", &ig__op_BitwiseAnd},
               {"BitwiseOr", &ig__op_BitwiseOr},
               {"BitwiseXor", &ig__op_BitwiseXor},
               {"BitwiseNot", &ig__op_BitwiseNot},
               {"CenterCropPad", &ig__op_CenterCropPad},
               {"Col2Im", &ig__op_Col2Im},
               {"AffineGrid", &ig__op_AffineGrid},
               {"LpPool", &ig__op_LpPool}};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        assert_ptr_equal(ig__op_find(ops[i].name), ops[i].op);
}

/* ---- GroupNormalization ------------------------------------------------- */

static void test_groupnorm(void **state)
{
    (void)state;
    kt_node k;
    float x[] = {1, 3, 5, 7};
    float s2[] = {2, 1}, b2[] = {0, 1};
    ig_tensor X = TEN(F32, x, 1, 2, 2), S = TEN(F32, s2, 2), B = TEN(F32, b2, 2);
    ig_tensor *in[] = {&X, &S, &B};
    /* Opset 18, 2 groups of one channel, per-group scale/bias, eps 0:
     * group 0 [1,3]: mean 2, var 1 -> [-1, 1] * 2 + 0 = [-2, 2];
     * group 1 [5,7]: mean 6, var 1 -> [-1, 1] * 1 + 1 = [0, 2]. */
    kt_init(&k, "GroupNormalization", 3, 1);
    kt_attr_i(&k, "num_groups", 2);
    kt_attr_f(&k, "epsilon", 0);
    assert_int_equal(run(&k, 18, in), 0);
    SHAPE(&out[0], F32, 1, 2, 2);
    CLOSE(&out[0], -2, 2, 0, 2);

    /* Opset 21, one group over both channels, per-channel scale [1, 2]:
     * mean 4, var (9+1+1+9)/4 = 5 -> [-3,-1,1,3]/sqrt(5) * [1,1,2,2]. */
    float s21[] = {1, 2}, b21[] = {0, 0};
    S = TEN(F32, s21, 2);
    B = TEN(F32, b21, 2);
    kt_init(&k, "GroupNormalization", 3, 1);
    kt_attr_i(&k, "num_groups", 1);
    kt_attr_f(&k, "epsilon", 0);
    assert_int_equal(run(&k, 21, in), 0);
    CLOSE(&out[0], -1.34164079f, -0.4472136f, 0.89442719f, 2.68328157f);
    /* The same node at opset 18 wants scale of shape [num_groups] = [1]. */
    assert_int_equal(run(&k, 18, in), IG_ESHAPE);
    MSG_HAS("scale must have shape [1]");

    /* Refusals. */
    kt_init(&k, "GroupNormalization", 3, 1);
    assert_int_equal(run(&k, 21, in), IG_EINVAL);
    MSG_HAS("num_groups");
    kt_init(&k, "GroupNormalization", 3, 1);
    kt_attr_i(&k, "num_groups", 3); /* does not divide C = 2 */
    assert_int_equal(run(&k, 21, in), IG_EINVAL);
    kt_init(&k, "GroupNormalization", 3, 1);
    kt_attr_i(&k, "num_groups", 2);
    kt_attr_i(&k, "stash_type", IG_DT_FLOAT16);
    assert_int_equal(run(&k, 21, in), IG_EUNSUPPORTED);
    MSG_HAS("stash_type");
    /* stash_type is not an attribute of GroupNormalization-18. */
    assert_int_equal(run(&k, 18, in), IG_EUNSUPPORTED);
    MSG_HAS("attribute 'stash_type'");
    int32_t xi[4] = {0};
    ig_tensor XI = TEN(I32, xi, 1, 2, 2);
    ig_tensor *ini[] = {&XI, &S, &B};
    kt_init(&k, "GroupNormalization", 3, 1);
    kt_attr_i(&k, "num_groups", 2);
    assert_int_equal(run(&k, 21, ini), IG_EUNSUPPORTED);
    MSG_HAS("int32");
}

/* ---- RMSNormalization --------------------------------------------------- */

static void test_rmsnorm(void **state)
{
    (void)state;
    kt_node k;
    /* Row [3, 4]: mean square 12.5, rms 3.5355339 -> [0.8485281,
     * 1.1313708] * scale [1, 2] = [0.8485281, 2.2627417].  Row [0, 2],
     * scale broadcast from (2, 1) = 10: rms sqrt(2) -> [0, 1.4142136*10]. */
    float x[] = {3, 4, 0, 2}, s[] = {1, 10};
    ig_tensor X = TEN(F32, x, 2, 2), S = TEN(F32, s, 2, 1);
    ig_tensor *in[] = {&X, &S};
    kt_init(&k, "RMSNormalization", 2, 1);
    kt_attr_f(&k, "epsilon", 0);
    assert_int_equal(run(&k, 23, in), 0);
    SHAPE(&out[0], F32, 2, 2);
    CLOSE(&out[0], 0.84852814f, 1.13137085f, 0, 14.1421356f);
    float s2[] = {1, 2};
    S = TEN(F32, s2, 2);
    assert_int_equal(run(&k, 23, in), 0);
    CLOSE(&out[0], 0.84852814f, 2.26274170f, 0, 2.82842712f);

    /* axis 0 normalises the whole tensor: mean square (9+16+0+4)/4 = 7.25,
     * eps 0.75 -> rms sqrt(8) = 2.8284271. */
    kt_init(&k, "RMSNormalization", 2, 1);
    kt_attr_i(&k, "axis", 0);
    kt_attr_f(&k, "epsilon", 0.75f);
    float ones[] = {1};
    S = TEN(F32, ones, 1);
    assert_int_equal(run(&k, 23, in), 0);
    CLOSE(&out[0], 1.06066017f, 1.41421356f, 0, 0.70710678f);

    /* Refusals. */
    float s3[] = {1, 2, 3};
    S = TEN(F32, s3, 3);
    assert_int_equal(run(&k, 23, in), IG_ESHAPE);
    MSG_HAS("does not broadcast");
    S = TEN(F32, s2, 2);
    kt_init(&k, "RMSNormalization", 2, 1);
    kt_attr_i(&k, "axis", 2);
    assert_int_equal(run(&k, 23, in), IG_EINVAL);
    MSG_HAS("axis 2");
    kt_init(&k, "RMSNormalization", 2, 1);
    kt_attr_i(&k, "stash_type", IG_DT_BFLOAT16);
    assert_int_equal(run(&k, 23, in), IG_EUNSUPPORTED);
    MSG_HAS("stash_type");
    kt_init(&k, "RMSNormalization", 2, 1);
    kt_attr_i(&k, "stash_type", IG_DT_DOUBLE); /* computed in double anyway */
    assert_int_equal(run(&k, 23, in), 0);
    kt_init(&k, "RMSNormalization", 2, 1);
    kt_attr_i(&k, "bias", 1);
    assert_int_equal(run(&k, 23, in), IG_EUNSUPPORTED);
    MSG_HAS("attribute 'bias'");
}

/* ---- RotaryEmbedding ---------------------------------------------------- */

static void test_rotary(void **state)
{
    (void)state;
    kt_node k;
    /* One head of size 4, x = [1, 2, 3, 4]; cos = [0, 1], sin = [1, 0]:
     * pair 0 turns by 90 degrees (x1, x2) -> (-x2, x1), pair 1 stays.
     * Halves: pairs (x0, x2) = (1, 3) -> (-3, 1), (x1, x3) stay:
     *   [-3, 2, 1, 4].
     * Interleaved: pairs (x0, x1) = (1, 2) -> (-2, 1), (x2, x3) stay:
     *   [-2, 1, 3, 4]. */
    float x[] = {1, 2, 3, 4}, co[] = {0, 1}, si[] = {1, 0};
    ig_tensor X = TEN(F32, x, 1, 1, 1, 4), C = TEN(F32, co, 1, 1, 2),
              S = TEN(F32, si, 1, 1, 2);
    ig_tensor *in[] = {&X, &C, &S, NULL};
    kt_init(&k, "RotaryEmbedding", 4, 1);
    assert_int_equal(run(&k, 23, in), 0);
    SHAPE(&out[0], F32, 1, 1, 1, 4);
    CLOSE(&out[0], -3, 2, 1, 4);
    kt_init(&k, "RotaryEmbedding", 4, 1);
    kt_attr_i(&k, "interleaved", 1);
    assert_int_equal(run(&k, 23, in), 0);
    CLOSE(&out[0], -2, 1, 3, 4);

    /* Partial rotation, rotary_embedding_dim 2: only (x0, x1) turns by 90
     * degrees with the first cache column: [-2, 1, 3, 4]. */
    kt_init(&k, "RotaryEmbedding", 4, 1);
    kt_attr_i(&k, "rotary_embedding_dim", 2);
    assert_int_equal(run(&k, 23, in), 0);
    CLOSE(&out[0], -2, 1, 3, 4);

    /* 3-D input (1, 2 tokens, 2 heads x 2) with position_ids [[2, 1]]
     * into a 2-D cache whose rows are angles 0, 90, 180 degrees:
     * token 0 uses row 2 (cos -1, sin 0): (a, b) -> (-a, -b);
     * token 1 uses row 1 (cos 0, sin 1): (a, b) -> (-b, a). */
    float x3[] = {1, 2, 3, 4, 5, 6, 7, 8};
    float c2[] = {1, 0, -1}, s2[] = {0, 1, 0};
    int64_t pos[] = {2, 1};
    ig_tensor X3 = TEN(F32, x3, 1, 2, 4), C2 = TEN(F32, c2, 3, 1),
              S2 = TEN(F32, s2, 3, 1), P = TEN(I64, pos, 1, 2);
    ig_tensor *in3[] = {&X3, &C2, &S2, &P};
    kt_init(&k, "RotaryEmbedding", 4, 1);
    kt_attr_i(&k, "num_heads", 2);
    assert_int_equal(run(&k, 23, in3), 0);
    SHAPE(&out[0], F32, 1, 2, 4);
    CLOSE(&out[0], -1, -2, -3, -4, -6, 5, -8, 7);

    /* Refusals. */
    int64_t bad[] = {3, 1}; /* row 3 of a 3-row cache */
    P = TEN(I64, bad, 1, 2);
    assert_int_equal(run(&k, 23, in3), IG_EINVAL);
    MSG_HAS("position_ids[0][0] = 3");
    P = TEN(I64, pos, 1, 2);
    kt_init(&k, "RotaryEmbedding", 4, 1); /* 3-D without num_heads */
    assert_int_equal(run(&k, 23, in3), IG_EINVAL);
    MSG_HAS("num_heads");
    int32_t pos32[] = {2, 1};
    ig_tensor P32 = TEN(I32, pos32, 1, 2);
    ig_tensor *in32[] = {&X3, &C2, &S2, &P32};
    kt_init(&k, "RotaryEmbedding", 4, 1);
    kt_attr_i(&k, "num_heads", 2);
    assert_int_equal(run(&k, 23, in32), IG_EUNSUPPORTED);
    MSG_HAS("position_ids");
    kt_init(&k, "RotaryEmbedding", 4, 1);
    kt_attr_i(&k, "rotary_embedding_dim", 3);
    assert_int_equal(run(&k, 23, in), IG_EINVAL);
    MSG_HAS("even");
    kt_init(&k, "RotaryEmbedding", 4, 1);
    kt_attr_f(&k, "scale", 1.0f); /* an attribute of the contrib op only */
    assert_int_equal(run(&k, 23, in), IG_EUNSUPPORTED);
    MSG_HAS("attribute 'scale'");
    ig_tensor X2 = TEN(F32, x, 2, 2);
    ig_tensor *in2[] = {&X2, &C, &S, NULL};
    kt_init(&k, "RotaryEmbedding", 4, 1);
    assert_int_equal(run(&k, 23, in2), IG_ESHAPE);
}

/* ---- Attention ---------------------------------------------------------- */

static void test_attention_basic(void **state)
{
    (void)state;
    kt_node k;
    /* q = [1, 0], keys [1, 0] and [0, 0], values 2 and 4, scale 1/sqrt(2):
     * scores [0.70710678, 0]; softmax [0.66976155, 0.33023845];
     * y = 2 * 0.66976155 + 4 * 0.33023845 = 2.66047690. */
    float q[] = {1, 0}, kk[] = {1, 0, 0, 0}, v[] = {2, 4};
    ig_tensor Q = TEN(F32, q, 1, 1, 1, 2), K = TEN(F32, kk, 1, 1, 2, 2),
              V = TEN(F32, v, 1, 1, 2, 1);
    ig_tensor *in[] = {&Q, &K, &V};
    kt_init(&k, "Attention", 3, 4);
    k.node.nout = 4;
    assert_int_equal(run(&k, 23, in), 0);
    SHAPE(&out[0], F32, 1, 1, 1, 1);
    CLOSE(&out[0], 2.66047690f);
    SHAPE(&out[1], F32, 1, 1, 2, 2); /* present = K without a past */
    CLOSE(&out[1], 1, 0, 0, 0);
    CLOSE(&out[2], 2, 4);
    SHAPE(&out[3], F32, 1, 1, 1, 2); /* mode 0: scaled Q.K^T */
    CLOSE(&out[3], 0.70710678f, 0);

    /* Mode 3 gives the softmax; scale 0 makes it uniform: y = 3. */
    kt_init(&k, "Attention", 3, 4);
    kt_attr_i(&k, "qk_matmul_output_mode", 3);
    kt_attr_f(&k, "scale", 0);
    assert_int_equal(run(&k, 23, in), 0);
    CLOSE(&out[0], 3);
    CLOSE(&out[3], 0.5f, 0.5f);

    /* A bool mask hiding key 1 leaves key 0: y = 2; mode 1 shows the bias. */
    unsigned char mk[] = {1, 0};
    ig_tensor M = TEN(IG_DT_BOOL, mk, 2);
    ig_tensor *inm[] = {&Q, &K, &V, &M};
    kt_init(&k, "Attention", 4, 4);
    kt_attr_i(&k, "qk_matmul_output_mode", 1);
    assert_int_equal(run(&k, 23, inm), 0);
    CLOSE(&out[0], 2);
    assert_float_equal(((float *)out[3].data)[0], 0.70710678f, 1e-6);
    assert_true(isinf(((float *)out[3].data)[1]) && ((float *)out[3].data)[1] < 0);
    /* A float mask of length 1 is padded with -inf to the two keys (the
     * spec pads, it does not broadcast, the key axis): y = 2 again. */
    float mf[] = {5};
    ig_tensor MF = TEN(F32, mf, 1);
    ig_tensor *inf_[] = {&Q, &K, &V, &MF};
    assert_int_equal(run(&k, 23, inf_), 0);
    CLOSE(&out[0], 2);
    assert_float_equal(((float *)out[3].data)[0], 5.70710678f, 1e-6);
    assert_true(isinf(((float *)out[3].data)[1]) && ((float *)out[3].data)[1] < 0);
    /* Masking every key gives NaN, as the spec's Softmax of -inf does. */
    mk[0] = 0;
    assert_int_equal(run(&k, 23, inm), 0);
    assert_true(isnan(((float *)out[0].data)[0]));

    /* softcap 1 after the mask: tanh(0.70710678) = 0.60885900 and the
     * masked -inf becomes -1 (the spec's order); mode 2 shows both. */
    mk[0] = 1;
    kt_init(&k, "Attention", 4, 4);
    kt_attr_f(&k, "softcap", 1);
    kt_attr_i(&k, "qk_matmul_output_mode", 2);
    assert_int_equal(run(&k, 23, inm), 0);
    CLOSE(&out[3], 0.60885900f, -1);
}

static void test_attention_heads(void **state)
{
    (void)state;
    kt_node k;
    /* GQA, 4 query heads on 2 kv heads, one key each: every softmax is 1,
     * so y of head h is the value of its kv head.  Contiguous groups give
     * [10, 10, 20, 20]; a Tile reading would give [10, 20, 10, 20]. */
    float q[4] = {1, 1, 1, 1}, kk[2] = {1, 1}, v[2] = {10, 20};
    ig_tensor Q = TEN(F32, q, 1, 4, 1, 1), K = TEN(F32, kk, 1, 2, 1, 1),
              V = TEN(F32, v, 1, 2, 1, 1);
    ig_tensor *in[] = {&Q, &K, &V};
    kt_init(&k, "Attention", 3, 1);
    assert_int_equal(run(&k, 23, in), 0);
    SHAPE(&out[0], F32, 1, 4, 1, 1);
    CLOSE(&out[0], 10, 10, 20, 20);
    /* The same as 3-D (batch, seq, heads * size) with the head counts. */
    ig_tensor Q3 = TEN(F32, q, 1, 1, 4), K3 = TEN(F32, kk, 1, 1, 2),
              V3 = TEN(F32, v, 1, 1, 2);
    ig_tensor *in3[] = {&Q3, &K3, &V3};
    kt_init(&k, "Attention", 3, 1);
    kt_attr_i(&k, "q_num_heads", 4);
    kt_attr_i(&k, "kv_num_heads", 2);
    assert_int_equal(run(&k, 23, in3), 0);
    SHAPE(&out[0], F32, 1, 1, 4);
    CLOSE(&out[0], 10, 10, 20, 20);

    /* Causal with a past: one past key (value 1) and two new ones (values
     * 3, 5), all keys zero so the scores tie.  The spec's causal mask is
     * upper-left aligned on (2 queries x 3 keys): query 0 sees key 0 only
     * (y = 1), query 1 sees keys 0 and 1 (y = (1 + 3) / 2 = 2). */
    float q2[2] = {1, 1}, k2[2] = {0, 0}, v2[2] = {3, 5}, pk[1] = {0}, pv[1] = {1};
    ig_tensor Qc = TEN(F32, q2, 1, 1, 2, 1), Kc = TEN(F32, k2, 1, 1, 2, 1),
              Vc = TEN(F32, v2, 1, 1, 2, 1), PK = TEN(F32, pk, 1, 1, 1, 1),
              PV = TEN(F32, pv, 1, 1, 1, 1);
    ig_tensor *inc[] = {&Qc, &Kc, &Vc, NULL, &PK, &PV};
    kt_init(&k, "Attention", 6, 3);
    kt_attr_i(&k, "is_causal", 1);
    assert_int_equal(run(&k, 23, inc), 0);
    CLOSE(&out[0], 1, 2);
    SHAPE(&out[2], F32, 1, 1, 3, 1);
    CLOSE(&out[2], 1, 3, 5);

    /* nonpad_kv_seqlen (opset 24): batch 0 keeps 1 key (y = 3), batch 1
     * keeps 2 (y = (3 + 5) / 2 = 4). */
    float qn[2] = {1, 1}, kn[4] = {0, 0, 0, 0}, vn[4] = {3, 5, 3, 5};
    int64_t np_[2] = {1, 2};
    ig_tensor Qn = TEN(F32, qn, 2, 1, 1, 1), Kn = TEN(F32, kn, 2, 1, 2, 1),
              Vn = TEN(F32, vn, 2, 1, 2, 1), NP = TEN(I64, np_, 2);
    ig_tensor *inn[] = {&Qn, &Kn, &Vn, NULL, NULL, NULL, &NP};
    kt_init(&k, "Attention", 7, 1);
    assert_int_equal(run(&k, 24, inn), 0);
    CLOSE(&out[0], 3, 4);
    assert_int_equal(run(&k, 23, inn), IG_EINVAL);
    MSG_HAS("nonpad_kv_seqlen needs opset 24");
}

static void test_attention_refusals(void **state)
{
    (void)state;
    kt_node k;
    float q[6] = {0}, kk[4] = {0}, v[4] = {0};
    ig_tensor Q = TEN(F32, q, 1, 3, 1, 2), K = TEN(F32, kk, 1, 2, 1, 2),
              V = TEN(F32, v, 1, 2, 1, 2);
    ig_tensor *in[] = {&Q, &K, &V};
    kt_init(&k, "Attention", 3, 1);
    assert_int_equal(run(&k, 23, in), IG_ESHAPE); /* 3 q heads on 2 kv heads */
    MSG_HAS("multiple");

    Q = TEN(F32, q, 1, 2, 1, 2);
    kt_init(&k, "Attention", 3, 1);
    kt_attr_i(&k, "softmax_precision", IG_DT_FLOAT16);
    assert_int_equal(run(&k, 23, in), IG_EUNSUPPORTED);
    MSG_HAS("softmax_precision");
    kt_init(&k, "Attention", 3, 1);
    kt_attr_i(&k, "softmax_precision", IG_DT_DOUBLE);
    assert_int_equal(run(&k, 23, in), 0);
    kt_init(&k, "Attention", 3, 1);
    kt_attr_i(&k, "qk_matmul_output_mode", 4);
    assert_int_equal(run(&k, 23, in), IG_EINVAL);
    MSG_HAS("qk_matmul_output_mode");
    kt_init(&k, "Attention", 3, 1);
    kt_attr_i(&k, "left_window_size", 2); /* opset 25 */
    assert_int_equal(run(&k, 24, in), IG_EUNSUPPORTED);
    MSG_HAS("attribute 'left_window_size'");
    kt_init(&k, "Attention", 3, 1);
    assert_int_equal(run(&k, 25, in), IG_EUNSUPPORTED);
    MSG_HAS("opset 25");

    /* Mixed 3-D/4-D, 3-D without head counts, int mask, lone past_key. */
    ig_tensor Q3 = TEN(F32, q, 1, 1, 4);
    ig_tensor *mix[] = {&Q3, &K, &V};
    kt_init(&k, "Attention", 3, 1);
    assert_int_equal(run(&k, 23, mix), IG_EUNSUPPORTED);
    MSG_HAS("mixing");
    ig_tensor K3 = TEN(F32, kk, 1, 1, 4), V3 = TEN(F32, v, 1, 1, 4);
    ig_tensor *in3[] = {&Q3, &K3, &V3};
    kt_init(&k, "Attention", 3, 1);
    assert_int_equal(run(&k, 23, in3), IG_EINVAL);
    MSG_HAS("q_num_heads");
    int32_t mi[2] = {0};
    ig_tensor MI = TEN(I32, mi, 2);
    ig_tensor *inm[] = {&Q, &K, &V, &MI};
    kt_init(&k, "Attention", 4, 1);
    assert_int_equal(run(&k, 23, inm), IG_EUNSUPPORTED);
    MSG_HAS("attn_mask");
    float pk[2] = {0};
    ig_tensor PK = TEN(F32, pk, 1, 2, 1, 1);
    ig_tensor *inp[] = {&Q, &K, &V, NULL, &PK, NULL};
    kt_init(&k, "Attention", 6, 1);
    assert_int_equal(run(&k, 23, inp), IG_EINVAL);
    MSG_HAS("past_key and past_value");
}

/* ---- Swish, Bitwise ----------------------------------------------------- */

static void test_swish(void **state)
{
    (void)state;
    kt_node k;
    /* x / (1 + exp(-alpha x)): alpha 1 at 0, 1, -1 -> 0, 0.73105858,
     * -0.26894142; alpha 2 at 1 -> 1 / (1 + e^-2) = 0.88079708. */
    float x[] = {0, 1, -1};
    ig_tensor X = TEN(F32, x, 3);
    ig_tensor *in[] = {&X};
    kt_init(&k, "Swish", 1, 1);
    assert_int_equal(run(&k, 24, in), 0);
    CLOSE(&out[0], 0, 0.73105858f, -0.26894142f);
    kt_attr_f(&k, "alpha", 2);
    X = TEN(F32, x + 1, 1);
    assert_int_equal(run(&k, 24, in), 0);
    CLOSE(&out[0], 0.88079708f);
    int32_t xi[1] = {1};
    ig_tensor XI = TEN(I32, xi, 1);
    ig_tensor *ini[] = {&XI};
    assert_int_equal(run(&k, 24, ini), IG_EUNSUPPORTED);
}

static void test_bitwise(void **state)
{
    (void)state;
    kt_node k;
    uint8_t a8[] = {0xF0, 0x3C}, b8[] = {0x99};
    ig_tensor A = TEN(IG_DT_UINT8, a8, 2), B = TEN(IG_DT_UINT8, b8, 1);
    ig_tensor *in[] = {&A, &B};
    /* 0xF0 & 0x99 = 0x90, 0x3C & 0x99 = 0x18; | -> 0xF9, 0xBD; ^ -> 0x69, 0xA5 */
    kt_init(&k, "BitwiseAnd", 2, 1);
    assert_int_equal(run(&k, 18, in), 0);
    SHAPE(&out[0], IG_DT_UINT8, 2);
    assert_int_equal(((uint8_t *)out[0].data)[0], 0x90);
    assert_int_equal(((uint8_t *)out[0].data)[1], 0x18);
    kt_init(&k, "BitwiseOr", 2, 1);
    assert_int_equal(run(&k, 18, in), 0);
    assert_int_equal(((uint8_t *)out[0].data)[0], 0xF9);
    assert_int_equal(((uint8_t *)out[0].data)[1], 0xBD);
    kt_init(&k, "BitwiseXor", 2, 1);
    assert_int_equal(run(&k, 18, in), 0);
    assert_int_equal(((uint8_t *)out[0].data)[0], 0x69);
    assert_int_equal(((uint8_t *)out[0].data)[1], 0xA5);

    /* Signed widths: -128 | 1 = -127 (int8); int64 xor of the sign bit. */
    int8_t a[] = {-128}, b[] = {1};
    A = TEN(IG_DT_INT8, a, 1);
    B = TEN(IG_DT_INT8, b, 1);
    kt_init(&k, "BitwiseOr", 2, 1);
    assert_int_equal(run(&k, 18, in), 0);
    assert_int_equal(((int8_t *)out[0].data)[0], -127);
    int64_t l1[] = {INT64_MIN + 5}, l2[] = {INT64_MIN};
    A = TEN(I64, l1, 1);
    B = TEN(I64, l2, 1);
    kt_init(&k, "BitwiseXor", 2, 1);
    assert_int_equal(run(&k, 18, in), 0);
    assert_int_equal(((int64_t *)out[0].data)[0], 5);

    /* Not: ~0 = 0xFFFF as uint16, ~5 = -6 as int32. */
    uint16_t u[] = {0};
    ig_tensor U = TEN(IG_DT_UINT16, u, 1);
    ig_tensor *in1[] = {&U};
    kt_init(&k, "BitwiseNot", 1, 1);
    assert_int_equal(run(&k, 18, in1), 0);
    assert_int_equal(((uint16_t *)out[0].data)[0], 0xFFFF);
    int32_t i5[] = {5};
    U = TEN(I32, i5, 1);
    assert_int_equal(run(&k, 18, in1), 0);
    assert_int_equal(((int32_t *)out[0].data)[0], -6);

    /* Refusals: float, mixed dtypes, shapes that do not broadcast. */
    float f[] = {1};
    U = TEN(F32, f, 1);
    assert_int_equal(run(&k, 18, in1), IG_EUNSUPPORTED);
    MSG_HAS("float");
    A = TEN(I32, i5, 1);
    B = TEN(I64, l2, 1);
    kt_init(&k, "BitwiseAnd", 2, 1);
    assert_int_equal(run(&k, 18, in), IG_EINVAL);
    int32_t three[3] = {0}, two[2] = {0};
    A = TEN(I32, three, 3);
    B = TEN(I32, two, 2);
    assert_int_equal(run(&k, 18, in), IG_ESHAPE);
}

/* ---- CenterCropPad, Col2Im, AffineGrid, LpPool --------------------------- */

static void test_centercroppad(void **state)
{
    (void)state;
    kt_node k;
    float x[] = {1, 2, 3, 4, 5};
    int64_t sh[] = {1, 2};
    ig_tensor X = TEN(F32, x, 1, 5), S = TEN(I64, sh, 2);
    ig_tensor *in[] = {&X, &S};
    /* Crop 5 -> 2: start floor(3 / 2) = 1 -> [2, 3]. */
    kt_init(&k, "CenterCropPad", 2, 1);
    assert_int_equal(run(&k, 18, in), 0);
    SHAPE(&out[0], F32, 1, 2);
    CLOSE(&out[0], 2, 3);
    /* Pad 5 -> 8: 3 zeros, floor(3 / 2) = 1 before, 2 after. */
    sh[1] = 8;
    assert_int_equal(run(&k, 18, in), 0);
    CLOSE(&out[0], 0, 1, 2, 3, 4, 5, 0, 0);
    /* axes [-1] with int32 shape [3]: 5 -> 3 starts at 1 -> [2, 3, 4]. */
    int32_t s32[] = {3};
    int64_t ax[] = {-1};
    S = TEN(I32, s32, 1);
    kt_init(&k, "CenterCropPad", 2, 1);
    kt_attr_ints(&k, "axes", ax, 1);
    assert_int_equal(run(&k, 18, in), 0);
    CLOSE(&out[0], 2, 3, 4);
    /* Any dtype is moved as is. */
    int64_t xl[] = {7, 8, 9};
    ig_tensor XL = TEN(I64, xl, 3);
    ig_tensor *inl[] = {&XL, &S};
    s32[0] = 1;
    assert_int_equal(run(&k, 18, inl), 0);
    assert_int_equal(((int64_t *)out[0].data)[0], 8);

    /* Refusals: one shape value for two axes, a negative size. */
    S = TEN(I64, sh, 1);
    kt_init(&k, "CenterCropPad", 2, 1);
    assert_int_equal(run(&k, 18, in), IG_ESHAPE);
    int64_t neg[] = {1, -1};
    S = TEN(I64, neg, 2);
    assert_int_equal(run(&k, 18, in), IG_EINVAL);
}

static void test_col2im(void **state)
{
    (void)state;
    kt_node k;
    /* 1-D: image 3, block 2, two blocks; column k of block l lands on
     * pixel l + k: [a0, a1 + b0, b1] with rows a = [1, 2], b = [10, 20]
     * -> [1, 12, 20]. */
    float x[] = {1, 2, 10, 20};
    int64_t img[] = {3}, blk[] = {2};
    ig_tensor X = TEN(F32, x, 1, 2, 2), I = TEN(I64, img, 1), B = TEN(I64, blk, 1);
    ig_tensor *in[] = {&X, &I, &B};
    kt_init(&k, "Col2Im", 3, 1);
    assert_int_equal(run(&k, 18, in), 0);
    SHAPE(&out[0], F32, 1, 1, 3);
    CLOSE(&out[0], 1, 12, 20);

    /* Image 4, block 2, stride 2, pads (1, 1): blocks (4+2-2)/2+1 = 3;
     * pixel = 2l - 1 + k.  k0 row [1, 2, 3] -> pixels -1 (dropped), 1, 3;
     * k1 row [4, 5, 6] -> 0, 2, 4 (dropped): [4, 2, 5, 3]. */
    float x2[] = {1, 2, 3, 4, 5, 6};
    int64_t img2[] = {4}, st[] = {2}, pads[] = {1, 1};
    X = TEN(F32, x2, 1, 2, 3);
    I = TEN(I64, img2, 1);
    kt_init(&k, "Col2Im", 3, 1);
    kt_attr_ints(&k, "strides", st, 1);
    kt_attr_ints(&k, "pads", pads, 2);
    assert_int_equal(run(&k, 18, in), 0);
    CLOSE(&out[0], 4, 2, 5, 3);

    /* Refusals: L is not the block count; shapes of different lengths. */
    X = TEN(F32, x2, 1, 2, 2);
    assert_int_equal(run(&k, 18, in), IG_ESHAPE);
    int64_t blk2[] = {2, 2};
    B = TEN(I64, blk2, 2);
    assert_int_equal(run(&k, 18, in), IG_ESHAPE);
}

static void test_affinegrid(void **state)
{
    (void)state;
    kt_node k;
    /* theta [[1, 0, 0.5], [0, 2, 0]] on a 2x2 grid.  Without
     * align_corners the base points are -0.5 and 0.5, so (x, y) ->
     * (x + 0.5, 2y): (0, -1), (1, -1), (0, 1), (1, 1).  With it they are
     * -1 and 1: (-0.5, -2), (1.5, -2), (-0.5, 2), (1.5, 2). */
    float th[] = {1, 0, 0.5f, 0, 2, 0};
    int64_t size[] = {1, 3, 2, 2};
    ig_tensor T = TEN(F32, th, 1, 2, 3), S = TEN(I64, size, 4);
    ig_tensor *in[] = {&T, &S};
    kt_init(&k, "AffineGrid", 2, 1);
    assert_int_equal(run(&k, 20, in), 0);
    SHAPE(&out[0], F32, 1, 2, 2, 2);
    CLOSE(&out[0], 0, -1, 1, -1, 0, 1, 1, 1);
    kt_attr_i(&k, "align_corners", 1);
    assert_int_equal(run(&k, 20, in), 0);
    CLOSE(&out[0], -0.5f, -2, 1.5f, -2, -0.5f, 2, 1.5f, 2);

    /* Refusals: a size of 1 with align_corners; a 5-value size for 2-D theta. */
    size[3] = 1;
    assert_int_equal(run(&k, 20, in), IG_EUNSUPPORTED);
    MSG_HAS("align_corners");
    int64_t s5[] = {1, 1, 2, 2, 2};
    S = TEN(I64, s5, 5);
    assert_int_equal(run(&k, 20, in), IG_ESHAPE);
}

static void test_lppool(void **state)
{
    (void)state;
    kt_node k;
    /* p = 2, kernel 2, stride 2 on [3, 4, 0, -5]: [5, 5]. */
    float x[] = {3, 4, 0, -5};
    int64_t k2[] = {2}, s2[] = {2};
    ig_tensor X = TEN(F32, x, 1, 1, 4);
    ig_tensor *in[] = {&X};
    kt_init(&k, "LpPool", 1, 1);
    kt_attr_ints(&k, "kernel_shape", k2, 1);
    kt_attr_ints(&k, "strides", s2, 1);
    assert_int_equal(run(&k, 11, in), 0);
    SHAPE(&out[0], F32, 1, 1, 2);
    CLOSE(&out[0], 5, 5);

    /* p = 1, kernel 2, stride 1, pads (1, 0) on [1, -2, 3]: the pad
     * counts as 0 -> [1, 3, 5]. */
    float x3[] = {1, -2, 3};
    int64_t pads[] = {1, 0};
    X = TEN(F32, x3, 1, 1, 3);
    kt_init(&k, "LpPool", 1, 1);
    kt_attr_ints(&k, "kernel_shape", k2, 1);
    kt_attr_ints(&k, "pads", pads, 2);
    kt_attr_i(&k, "p", 1);
    assert_int_equal(run(&k, 2, in), 0);
    CLOSE(&out[0], 1, 3, 5);

    /* Opset 18 ceil_mode: [1..5], kernel 2, stride 2, p 1: ceil(3/2)+1 = 3
     * windows, the last one [5] -> [3, 7, 5]; with dilation 2 and kernel 2,
     * taps i and i+2: floor((5-3)/2)+1 = 2 windows (ceil gives the same),
     * [1+3, 3+5] = [4, 8]. */
    float x5[] = {1, 2, 3, 4, 5};
    int64_t d2[] = {2};
    X = TEN(F32, x5, 1, 1, 5);
    kt_init(&k, "LpPool", 1, 1);
    kt_attr_ints(&k, "kernel_shape", k2, 1);
    kt_attr_ints(&k, "strides", s2, 1);
    kt_attr_i(&k, "p", 1);
    kt_attr_i(&k, "ceil_mode", 1);
    assert_int_equal(run(&k, 18, in), 0);
    CLOSE(&out[0], 3, 7, 5);
    /* ceil_mode is not an attribute before opset 18. */
    assert_int_equal(run(&k, 11, in), IG_EUNSUPPORTED);
    MSG_HAS("attribute 'ceil_mode'");
    kt_init(&k, "LpPool", 1, 1);
    kt_attr_ints(&k, "kernel_shape", k2, 1);
    kt_attr_ints(&k, "dilations", d2, 1);
    kt_attr_ints(&k, "strides", s2, 1);
    kt_attr_i(&k, "p", 1);
    assert_int_equal(run(&k, 18, in), 0);
    CLOSE(&out[0], 4, 8);

    /* Refusals: p = 0, a float p (LpPool-1), no kernel_shape. */
    kt_init(&k, "LpPool", 1, 1);
    kt_attr_ints(&k, "kernel_shape", k2, 1);
    kt_attr_i(&k, "p", 0);
    assert_int_equal(run(&k, 18, in), IG_EINVAL);
    kt_init(&k, "LpPool", 1, 1);
    kt_attr_ints(&k, "kernel_shape", k2, 1);
    kt_attr_f(&k, "p", 2.0f);
    assert_int_equal(run(&k, 18, in), IG_EUNSUPPORTED);
    MSG_HAS("float p");
    kt_init(&k, "LpPool", 1, 1);
    assert_int_equal(run(&k, 18, in), IG_EINVAL);
    MSG_HAS("kernel_shape");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry),
        cmocka_unit_test_teardown(test_groupnorm, teardown),
        cmocka_unit_test_teardown(test_rmsnorm, teardown),
        cmocka_unit_test_teardown(test_rotary, teardown),
        cmocka_unit_test_teardown(test_attention_basic, teardown),
        cmocka_unit_test_teardown(test_attention_heads, teardown),
        cmocka_unit_test_teardown(test_attention_refusals, teardown),
        cmocka_unit_test_teardown(test_swish, teardown),
        cmocka_unit_test_teardown(test_bitwise, teardown),
        cmocka_unit_test_teardown(test_centercroppad, teardown),
        cmocka_unit_test_teardown(test_col2im, teardown),
        cmocka_unit_test_teardown(test_affinegrid, teardown),
        cmocka_unit_test_teardown(test_lppool, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
