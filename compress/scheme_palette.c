/* scheme_palette.c — palette:N: each weight tensor (of Conv, MatMul,
 * Gemm, and a Gather's table) is clustered by k-means into k = 2^N float
 * values, stored as N-bit indices (packed into int64 words for N < 8,
 * unpacked by integer ops: unpack() below; uint8 for N = 8) and the
 * k-entry lookup table, and expanded in the graph so any backend runs it:
 *   W_palette_indices (uint8, W's shape) -> Cast(to=INT64)   (N = 8)
 *   W_palette_packed (int64 words) -> ... -> int64 indices     (N < 8)
 *     [-> Add(W_palette_offsets): --per-channel, each group's LUT slice]
 *   -> Gather(W_palette_lut float [groups * k], ·, axis 0) -> the weight
 * Everything is a constant, so a planner folds the expansion before the
 * first run.
 *
 * The clustering is one-dimensional, which makes Lloyd's algorithm cheap:
 * with the values sorted once, every cluster is a contiguous run split at
 * the midpoints between sorted centroids, so an iteration is k binary
 * searches and k means from prefix sums.  Seeds come from k-means++ on the
 * stats/ generator, seeded from --seed and the tensor's name, so a rerun
 * gives the same file.  Iterations stop when no boundary moves, or at 100. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "../stats/stats.h"

#define PAL_MAX_ITER 100

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* First index in sorted v[0..n) with v >= x. */
static int64_t lower_bound(const double *v, int64_t n, double x)
{
    int64_t lo = 0, hi = n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* k-means of v[0..n) (sorted in place) into lut[0..k), ascending. */
static void kmeans_1d(double *v, int64_t n, int k, ig__rng *r, float *lut)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    double *c = calloc((size_t)k, sizeof *c), *d = malloc((size_t)n * sizeof *d);
    double *pre = malloc((size_t)(n + 1) * sizeof *pre);
    int64_t *cut = malloc((size_t)(k + 1) * sizeof *cut), *old = calloc((size_t)k + 1, sizeof *old);
    if (!c || !d || !pre || !cut || !old)
        fx_die("out of memory clustering %lld values", (long long)n);
    /* k-means++: the first seed uniform, each next one with probability
     * proportional to the squared distance to the nearest seed so far. */
    c[0] = v[ig__rng_below(r, (uint64_t)n)];
    for (int64_t i = 0; i < n; i++)
        d[i] = (v[i] - c[0]) * (v[i] - c[0]);
    for (int j = 1; j < k; j++) {
        double tot = 0;
        for (int64_t i = 0; i < n; i++)
            tot += d[i];
        int64_t pick = 0;
        if (tot > 0) {
            double u = ig__rng_uniform(r) * tot, acc = 0;
            for (pick = 0; pick < n - 1; pick++) {
                acc += d[pick];
                if (acc > u)
                    break;
            }
        }
        c[j] = v[pick];
        for (int64_t i = 0; i < n; i++) {
            double e = (v[i] - c[j]) * (v[i] - c[j]);
            if (e < d[i])
                d[i] = e;
        }
    }
    pre[0] = 0;
    for (int64_t i = 0; i < n; i++)
        pre[i + 1] = pre[i] + v[i];
    for (int it = 0; it < PAL_MAX_ITER; it++) {
        qsort(c, (size_t)k, sizeof *c, cmp_double);
        cut[0] = 0;
        cut[k] = n;
        for (int j = 1; j < k; j++)
            cut[j] = lower_bound(v, n, 0.5 * (c[j - 1] + c[j]));
        int moved = it == 0;
        for (int j = 0; j <= k; j++)
            moved |= cut[j] != old[j];
        if (!moved)
            break;
        memcpy(old, cut, (size_t)(k + 1) * sizeof *cut);
        for (int j = 0; j < k; j++)
            if (cut[j + 1] > cut[j]) /* an empty cluster keeps its centre */
                c[j] = (pre[cut[j + 1]] - pre[cut[j]]) / (double)(cut[j + 1] - cut[j]);
    }
    qsort(c, (size_t)k, sizeof *c, cmp_double);
    for (int j = 0; j < k; j++)
        lut[j] = (float)c[j];
    free(c);
    free(d);
    free(pre);
    free(cut);
    free(old);
}

/* Index of the LUT entry nearest x (lut ascending). */
static uint8_t nearest(const float *lut, int k, float x)
{
    int lo = 0, hi = k - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (x > 0.5f * (lut[mid] + lut[mid + 1]))
            lo = mid + 1;
        else
            hi = mid;
    }
    return (uint8_t)lo;
}

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return h;
}

/* The weight input of n worth palettizing and its channel axis, or -1. */
static int weight_input(cz *c, const IgOnnx__NodeProto *n, int *axis)
{
    if (n->domain && n->domain[0])
        return -1;
    int k = -1;
    if (!strcmp(n->op_type, "Conv")) {
        k = 1;
        *axis = 0;
    } else if (!strcmp(n->op_type, "MatMul")) {
        k = 1;
        *axis = 1;
    } else if (!strcmp(n->op_type, "Gemm")) {
        k = 1;
        *axis = cz_attr_i(n, "transB", 0) ? 0 : 1;
    } else if (!strcmp(n->op_type, "Gather")) {
        k = 0;
        *axis = 0;
    }
    if (k < 0 || !cz_float_weight(c, n, (size_t)k))
        return -1;
    IgOnnx__TensorProto *w = cz_float_weight(c, n, (size_t)k);
    if (w->n_dims == 0 || (size_t)*axis >= w->n_dims)
        return -1;
    return k;
}

/* A new int64 initializer of shape dims, named WN_palette_WHAT. */
static const char *i64_init(cz *c, const char *wn, const char *what, int rank,
                            const int64_t *dims, const int64_t *v)
{
    return cz_add_init(c, cz_fresh(c, fx_printf(&c->a, "%s_palette_%s", wn, what)), IG_DT_INT64,
                       rank, dims, v);
}

/* N-bit indices (N < 8) packed 63/N to an int64 word, the lowest first,
 * and unpacked by the graph into int64 indices of w's shape:
 *   Reshape(words, [M, 1]) -> Div(·, [1, 2^N, 2^2N, ...]) -> Mod(·, 2^N)
 *   -> Reshape([-1]) [-> Slice(0, numel)] -> Reshape(w's shape)
 * Every step is an integer op of opset 10 or older and takes constants
 * only, so a planner folds it; the file holds about N bits per weight
 * (2.06 for N = 2, 4.27 for 4, 6.4 for 6), as Core ML's palettization
 * stores them, instead of a byte.  Returns the unpacked name. */
static const char *unpack(cz *c, const char *wn, const uint8_t *idx, const ig_tensor *w)
{
    int nb = c->bits;
    int64_t per = 63 / nb, words = (w->numel + per - 1) / per;
    int64_t *packed = fx_alloc(&c->a, (size_t)words * sizeof *packed);
    int64_t *pw = fx_alloc(&c->a, (size_t)per * sizeof *pw);
    for (int64_t j = 0; j < per; j++)
        pw[j] = (int64_t)1 << (nb * j);
    for (int64_t m = 0; m < words; m++) {
        int64_t v = 0;
        for (int64_t j = 0; j < per && m * per + j < w->numel; j++)
            v |= (int64_t)idx[m * per + j] << (nb * j);
        packed[m] = v;
    }
    const char *pk = i64_init(c, wn, "packed", 1, &words, packed);
    int64_t d2[2] = {words, 1}, dp[2] = {1, per}, two = 2, one = 1, neg = -1, mod = 1 << nb;
    const char *in[3] = {pk, i64_init(c, wn, "column", 1, &two, d2), NULL};
    const char *col = cz_fresh(c, fx_printf(&c->a, "%s_palette_words", wn));
    cz_node(c, "Reshape", 2, in, 1, &col);
    in[0] = col;
    in[1] = i64_init(c, wn, "shifts", 2, dp, pw);
    const char *sh = cz_fresh(c, fx_printf(&c->a, "%s_palette_shifted", wn));
    cz_node(c, "Div", 2, in, 1, &sh);
    in[0] = sh;
    in[1] = i64_init(c, wn, "modulus", 1, &one, &mod);
    const char *md = cz_fresh(c, fx_printf(&c->a, "%s_palette_fields", wn));
    cz_node(c, "Mod", 2, in, 1, &md);
    in[0] = md;
    in[1] = i64_init(c, wn, "flat", 1, &one, &neg);
    const char *flat = cz_fresh(c, fx_printf(&c->a, "%s_palette_flat", wn));
    cz_node(c, "Reshape", 2, in, 1, &flat);
    if (words * per != w->numel) {
        int64_t zero = 0, n = w->numel;
        const char *sl[4] = {flat, i64_init(c, wn, "start", 1, &one, &zero),
                             i64_init(c, wn, "end", 1, &one, &n),
                             i64_init(c, wn, "axis", 1, &one, &zero)};
        const char *cut = cz_fresh(c, fx_printf(&c->a, "%s_palette_cut", wn));
        cz_node(c, "Slice", 4, sl, 1, &cut);
        flat = cut;
    }
    int64_t rank = w->rank;
    in[0] = flat;
    in[1] = i64_init(c, wn, "shape", 1, &rank, w->dims);
    const char *out = cz_fresh(c, fx_printf(&c->a, "%s_palette_indices_int64", wn));
    cz_node(c, "Reshape", 2, in, 1, &out);
    return out;
}

static const char *palettize(cz *c, const IgOnnx__TensorProto *p, int axis)
{
    ig_tensor w;
    if (cz_read(c, p, &w))
        return NULL;
    int k = 1 << c->bits;
    if (w.numel <= k) {
        ig_tensor_release(&w);
        return p->name; /* already no more values than the palette */
    }
    int64_t C = w.dims[axis], inner = 1;
    for (int d = axis + 1; d < w.rank; d++)
        inner *= w.dims[d];
    int64_t G = c->o->per_channel ? (c->o->group > 0 ? c->o->group : 1) : C;
    int64_t ngroups = (C + G - 1) / G;
    float *lut = fx_alloc(&c->a, (size_t)(ngroups * k) * sizeof *lut);
    uint8_t *idx = fx_alloc(&c->a, (size_t)w.numel + 1);
    double *buf = malloc((size_t)w.numel * sizeof *buf);
    int64_t *start = calloc((size_t)ngroups + 1, sizeof *start);
    int64_t *fill = calloc((size_t)ngroups + 1, sizeof *fill);
    if (!buf || !start || !fill)
        fx_die("out of memory");
    const float *v = w.data;
    /* Values bucketed by group in one pass: group gi owns
     * buf[start[gi] .. start[gi + 1]). */
    for (int64_t e = 0; e < w.numel; e++)
        start[(e / inner) % C / G + 1]++;
    for (int64_t gi = 0; gi < ngroups; gi++)
        start[gi + 1] += start[gi];
    for (int64_t e = 0; e < w.numel; e++) {
        int64_t gi = (e / inner) % C / G;
        buf[start[gi] + fill[gi]++] = v[e];
    }
    ig__rng r;
    ig__rng_seed(&r, (c->o->seed ? c->o->seed : 0x9a1e77e5eedull) ^ fnv(p->name));
    for (int64_t gi = 0; gi < ngroups; gi++) {
        double *gb = buf + start[gi];
        int64_t n = start[gi + 1] - start[gi];
        float *l = &lut[gi * k];
        if (n <= k) { /* a small group: its own values, padded */
            qsort(gb, (size_t)n, sizeof *gb, cmp_double);
            for (int j = 0; j < k; j++)
                l[j] = (float)gb[j < n ? j : n - 1];
        } else {
            kmeans_1d(gb, n, k, &r, l);
        }
    }
    free(start);
    free(fill);
    free(buf);
    for (int64_t e = 0; e < w.numel; e++)
        idx[e] = nearest(&lut[((e / inner) % C / G) * k], k, v[e]);
    const char *wn = p->name;
    int64_t ln = ngroups * k;
    const char *lutn = cz_add_init(c, cz_fresh(c, fx_printf(&c->a, "%s_palette_lut", wn)),
                                   IG_DT_FLOAT, 1, &ln, lut);
    const char *i64 = c->bits < 8 && c->opset >= 10 ? unpack(c, wn, idx, &w)
                                                   : NULL;
    if (!i64) {
        const char *idn = cz_add_init(c, cz_fresh(c, fx_printf(&c->a, "%s_palette_indices", wn)),
                                      IG_DT_UINT8, w.rank, w.dims, idx);
        i64 = cz_fresh(c, fx_printf(&c->a, "%s_palette_indices_int64", wn));
        cz_node(c, "Cast", 1, &idn, 1, &i64);
        fx_set_i(&c->a, "to", IG_DT_INT64);
    }
    if (ngroups > 1) {
        int64_t od[IG_MAX_RANK];
        for (int d = 0; d < w.rank; d++)
            od[d] = d == axis ? C : 1;
        int64_t *off = fx_alloc(&c->a, (size_t)C * sizeof *off);
        for (int64_t ch = 0; ch < C; ch++)
            off[ch] = (ch / G) * k;
        const char *offn = cz_add_init(c, cz_fresh(c, fx_printf(&c->a, "%s_palette_offsets", wn)),
                                       IG_DT_INT64, w.rank, od, off);
        const char *sum = cz_fresh(c, fx_printf(&c->a, "%s_palette_slots", wn));
        const char *ain[2] = {i64, offn};
        cz_node(c, "Add", 2, ain, 1, &sum);
        i64 = sum;
    }
    ig_tensor_release(&w);
    const char *out = cz_fresh(c, fx_printf(&c->a, "%s_palettized", wn));
    const char *gin[2] = {lutn, i64};
    cz_node(c, "Gather", 2, gin, 1, &out);
    fx_set_i(&c->a, "axis", 0);
    return out;
}

int cz_scheme_palette(cz *c)
{
    IgOnnx__GraphProto *g = c->g;
    const char **done_from = fx_alloc(&c->a, (g->n_node + 1) * sizeof *done_from);
    const char **done_to = fx_alloc(&c->a, (g->n_node + 1) * sizeof *done_to);
    int ndone = 0;
    for (size_t i = 0; i < g->n_node; i++) {
        const IgOnnx__NodeProto *n = g->node[i];
        int axis, k = weight_input(c, n, &axis);
        if (k < 0) {
            cz_emit(c, n);
            continue;
        }
        const char *wn = n->input[k], *to = NULL;
        for (int j = 0; j < ndone && !to; j++)
            if (!strcmp(done_from[j], wn))
                to = done_to[j];
        if (!to) {
            if (!(to = palettize(c, cz_float_weight(c, n, (size_t)k), axis)))
                return IG_EIO;
            done_from[ndone] = wn;
            done_to[ndone++] = to;
        }
        if (to == wn) {
            cz_emit(c, n);
            continue;
        }
        IgOnnx__NodeProto *d = cz_clone(c, n);
        d->input[k] = (char *)to;
        cz_emit(c, d);
        c->rewritten++;
    }
    if (c->rewritten == 0)
        return cz_fail(c, IG_EUNSUPPORTED, "palette: no Conv, MatMul, Gemm or Gather weight "
                       "with more than %d values to cluster", 1 << c->bits);
    return 0;
}
