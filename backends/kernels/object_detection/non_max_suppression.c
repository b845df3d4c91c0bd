/* non_max_suppression.c — NonMaxSuppression (opsets 10, 11): greedy selection of
 * boxes per batch and class, by descending score, dropping a box whose IoU
 * with one already selected is strictly above iou_threshold.
 *
 * The number of selected boxes is the output's first dim, so every input
 * must be known at plan time (common/data_dependent.h); infer() and run() share one
 * selection routine, infer() only counting.  Following the spec's text,
 * boxes whose score is *less* than score_threshold are dropped (a score
 * equal to it is kept).  Ties in score keep the lower box index first, and
 * IoU is computed in double; NaN in boxes or scores is refused rather than
 * ordered arbitrarily. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../common/data_dependent.h"
#include "../ops.h"

struct nms {
    int64_t B, C, S;      /* batches, classes, boxes per batch */
    int64_t max_out;      /* per class; 0 selects nothing */
    double iou_thr;
    int has_score_thr;
    double score_thr;
    int center;           /* center_point_box */
};

/* An optional one-element input read as double (floats) or int64. */
static int opt_scalar(ig__kctx *c, int i, const char *what, unsigned mask,
                      double *v)
{
    int rc = ig__x_dtype_in(c, i, what, mask);
    if (rc == 0)
        rc = ig__dyn_known(c, i, what);
    if (rc)
        return rc;
    if (c->in[i]->numel != 1)
        return ig__kerr(c, IG_ESHAPE, "%s must have one element, has %lld",
                        what, (long long)c->in[i]->numel);
    *v = ig__get_as_double(c->in[i], 0);
    return 0;
}

static int nms_params(ig__kctx *c, struct nms *p)
{
    memset(p, 0, sizeof *p);
    int rc = ig__x_dtype_in(c, 0, "boxes", IG__X_F32);
    if (rc == 0)
        rc = ig__x_dtype_in(c, 1, "scores", IG__X_F32);
    if (rc == 0)
        rc = ig__dyn_known(c, 0, "boxes");
    if (rc == 0)
        rc = ig__dyn_known(c, 1, "scores");
    if (rc)
        return rc;
    const ig_tensor *bx = c->in[0], *sc = c->in[1];
    if (bx->rank != 3 || bx->dims[2] != 4)
        return ig__kerr(c, IG_ESHAPE, "boxes must have shape [batches, boxes, 4]");
    if (sc->rank != 3 || sc->dims[0] != bx->dims[0] || sc->dims[2] != bx->dims[1])
        return ig__kerr(c, IG_ESHAPE, "scores must have shape [%lld, classes, "
                        "%lld]", (long long)bx->dims[0], (long long)bx->dims[1]);
    p->B = bx->dims[0];
    p->C = sc->dims[1];
    p->S = bx->dims[1];
    int64_t cpb = ig__attr_i(c->node, "center_point_box", 0);
    if (cpb != 0 && cpb != 1)
        return ig__kerr(c, IG_EINVAL, "center_point_box must be 0 or 1, is %lld",
                        (long long)cpb);
    p->center = (int)cpb;
    double v = 0;
    if (ig__has_in(c, 2)) {
        rc = opt_scalar(c, 2, "max_output_boxes_per_class", IG__X_I64, &v);
        if (rc)
            return rc;
        int64_t m = ((const int64_t *)c->in[2]->data)[0];
        if (m < 0)
            return ig__kerr(c, IG_EINVAL, "max_output_boxes_per_class is "
                            "negative (%lld)", (long long)m);
        p->max_out = m;
    }
    if (ig__has_in(c, 3)) {
        rc = opt_scalar(c, 3, "iou_threshold", IG__X_F32, &v);
        if (rc)
            return rc;
        if (!(v >= 0 && v <= 1))
            return ig__kerr(c, IG_EINVAL, "iou_threshold %g is outside [0, 1]", v);
        p->iou_thr = v;
    }
    if (ig__has_in(c, 4)) {
        rc = opt_scalar(c, 4, "score_threshold", IG__X_F32, &v);
        if (rc)
            return rc;
        if (isnan(v))
            return ig__kerr(c, IG_EINVAL, "score_threshold is NaN");
        p->has_score_thr = 1;
        p->score_thr = v;
    }
    for (int64_t k = 0; k < bx->numel; k++)
        if (isnan(((const float *)bx->data)[k]))
            return ig__kerr(c, IG_EUNSUPPORTED, "NaN in boxes is not supported");
    for (int64_t k = 0; k < sc->numel; k++)
        if (isnan(((const float *)sc->data)[k]))
            return ig__kerr(c, IG_EUNSUPPORTED, "NaN in scores is not supported");
    return 0;
}

/* Box i of batch b as ymin, xmin, ymax, xmax. */
static void corners(const struct nms *p, const float *boxes, int64_t b,
                    int64_t i, double r[4])
{
    const float *q = boxes + (b * p->S + i) * 4;
    double y1, x1, y2, x2;
    if (p->center) {
        double xc = q[0], yc = q[1], w = q[2], h = q[3];
        x1 = xc - w / 2;
        x2 = xc + w / 2;
        y1 = yc - h / 2;
        y2 = yc + h / 2;
    } else {
        y1 = q[0];
        x1 = q[1];
        y2 = q[2];
        x2 = q[3];
    }
    r[0] = fmin(y1, y2);
    r[1] = fmin(x1, x2);
    r[2] = fmax(y1, y2);
    r[3] = fmax(x1, x2);
}

static double iou(const double a[4], const double b[4])
{
    double ih = fmin(a[2], b[2]) - fmax(a[0], b[0]);
    double iw = fmin(a[3], b[3]) - fmax(a[1], b[1]);
    if (ih <= 0 || iw <= 0)
        return 0;
    double inter = ih * iw;
    double uni = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) -
                 inter;
    return uni > 0 ? inter / uni : 0;
}

/* Runs the selection; writes triples into out (when not NULL) and returns
 * the count in *n. */
static int nms_select(ig__kctx *c, const struct nms *p, int64_t *out, int64_t *n)
{
    const float *boxes = c->in[0]->data, *scores = c->in[1]->data;
    size_t s1 = (size_t)(p->S ? p->S : 1);
    int64_t *cand = malloc(sizeof *cand * s1 * 3);
    double *sel = malloc(sizeof *sel * s1 * 4);
    if (!cand || !sel) {
        free(cand);
        free(sel);
        return IG_ENOMEM;
    }
    int64_t *tmp = cand + s1, *chosen = tmp + s1;
    *n = 0;
    for (int64_t b = 0; b < p->B; b++) {
        for (int64_t k = 0; k < p->C; k++) {
            const float *s = scores + (b * p->C + k) * p->S;
            int64_t nc = 0, ns = 0;
            for (int64_t i = 0; i < p->S; i++)
                if (!p->has_score_thr || s[i] >= p->score_thr)
                    cand[nc++] = i;
            /* Stable merge sort by descending score. */
            for (int64_t w = 1; w < nc; w *= 2) {
                for (int64_t lo = 0; lo < nc; lo += 2 * w) {
                    int64_t mid = lo + w < nc ? lo + w : nc;
                    int64_t hi = lo + 2 * w < nc ? lo + 2 * w : nc;
                    int64_t x = lo, y = mid, o = lo;
                    while (x < mid && y < hi)
                        tmp[o++] = s[cand[y]] > s[cand[x]] ? cand[y++] : cand[x++];
                    while (x < mid)
                        tmp[o++] = cand[x++];
                    while (y < hi)
                        tmp[o++] = cand[y++];
                }
                memcpy(cand, tmp, sizeof *cand * (size_t)nc);
            }
            for (int64_t t = 0; t < nc && ns < p->max_out; t++) {
                double r[4];
                corners(p, boxes, b, cand[t], r);
                int keep = 1;
                for (int64_t j = 0; j < ns && keep; j++)
                    keep = !(iou(r, sel + j * 4) > p->iou_thr);
                if (!keep)
                    continue;
                memcpy(sel + ns * 4, r, sizeof r);
                chosen[ns++] = cand[t];
            }
            for (int64_t j = 0; j < ns; j++) {
                if (out) {
                    out[(*n + j) * 3] = b;
                    out[(*n + j) * 3 + 1] = k;
                    out[(*n + j) * 3 + 2] = chosen[j];
                }
            }
            *n += ns;
        }
    }
    free(cand);
    free(sel);
    return 0;
}

static int NonMaxSuppression_infer(ig__kctx *c)
{
    struct nms p;
    int64_t n = 0;
    int rc = nms_params(c, &p);
    if (rc == 0)
        rc = nms_select(c, &p, NULL, &n);
    if (rc)
        return rc;
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    int64_t dims[2] = {n, 3};
    return ig_tensor_set_shape(c->out[0], IG_DT_INT64, 2, dims);
}

static int NonMaxSuppression_run(ig__kctx *c)
{
    struct nms p;
    int64_t n = 0;
    int rc = nms_params(c, &p);
    if (rc == 0)
        rc = nms_select(c, &p, NULL, &n);
    if (rc)
        return rc;
    if (n != c->out[0]->dims[0])
        return ig__kerr(c, IG_EINTERNAL, "inputs changed after planning");
    return nms_select(c, &p, c->out[0]->data, &n);
}

const ig__op ig__op_NonMaxSuppression = {"NonMaxSuppression", 10,
                                         NonMaxSuppression_infer,
                                         NonMaxSuppression_run};
