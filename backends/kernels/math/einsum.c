/* einsum.c — Einsum (opset 12): sums of products over labelled
 * axes, as numpy.einsum defines them (explicit "->" output or the implicit
 * one: broadcast "..." axes first, then the labels used once, in ASCII
 * order).
 *
 * The design decision: no contraction planning.  Every label (and every
 * axis hidden in "...") gets one extent; the kernel walks the output's
 * labels in an odometer and, for each output element, the contracted
 * labels in a second one, multiplying the inputs through per-label strides
 * (summed when a label repeats in one input, which gives diagonals and
 * traces; 0 on a broadcast size-1 "..." axis) and accumulating in double
 * (int64 for integer inputs).  Double inputs are taken too: the loop is
 * already a double one, and the spec's own tests are all double.  Slow for big contractions, exact, and small
 * enough to check by reading. */
#include <stdlib.h>
#include <string.h>

#include "../common/dtypes.h"
#include "../ops.h"

#define NL 52               /* a-z, A-Z */
#define NID (NL + IG_MAX_RANK) /* plus the axes an ellipsis stands for */
#define MAXIN 8

struct es {
    int nin;
    int nlab[MAXIN];           /* axes of input i */
    int lab[MAXIN][IG_MAX_RANK]; /* label id of each axis */
    int nout;
    int out[IG_MAX_RANK];
    int64_t ext[NID];          /* extent of each label, -1 when unused */
    int nsum;
    int sum[NID];              /* contracted labels */
};

static int lab_id(char ch)
{
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a';
    if (ch >= 'A' && ch <= 'Z')
        return 26 + ch - 'A';
    return -1;
}

/* ASCII order of label ids: 'A'..'Z' sort before 'a'..'z'. */
static int lab_ascii(int id)
{
    return id < 26 ? 'a' + id : 'A' + id - 26;
}

/* Parses one term (an input's or the output's subscripts) into ids, the
 * ellipsis standing for ell axes right-aligned in the broadcast ellipsis
 * of rank mell.  Returns the count, or -1 on a bad character, a second
 * ellipsis or too many axes. */
static int parse_term(const char *s, const char *end, int ell, int mell,
                      int *ids)
{
    int n = 0, seen = 0;
    for (const char *p = s; p < end; p++) {
        if (*p == ' ')
            continue;
        if (*p == '.') {
            if (seen || end - p < 3 || p[1] != '.' || p[2] != '.')
                return -1;
            seen = 1;
            p += 2;
            for (int k = 0; k < ell; k++) {
                if (n >= IG_MAX_RANK)
                    return -1;
                ids[n++] = NL + mell - ell + k;
            }
            continue;
        }
        int id = lab_id(*p);
        if (id < 0 || n >= IG_MAX_RANK)
            return -1;
        ids[n++] = id;
    }
    return n;
}

/* Letters (not ellipsis) in s..end, and whether it holds an ellipsis;
 * -1 on a character that is no label, dot or space. */
static int count_letters(const char *s, const char *end, int *has_ell)
{
    int n = 0;
    *has_ell = 0;
    for (const char *p = s; p < end; p++) {
        if (lab_id(*p) >= 0)
            n++;
        else if (*p == '.')
            *has_ell = 1;
        else if (*p != ' ')
            return -1;
    }
    return n;
}

static int es_parse(ig__kctx *c, struct es *E)
{
    const char *eq = ig__attr_s(c->node, "equation", NULL);
    if (!eq)
        return ig__kerr(c, IG_EINVAL, "equation attribute is missing");
    if (c->nin < 1 || c->nin > MAXIN)
        return ig__kerr(c, IG_EUNSUPPORTED, "%d inputs (1 to %d supported)",
                        c->nin, MAXIN);
    memset(E, 0, sizeof *E);
    for (int l = 0; l < NID; l++)
        E->ext[l] = -1;
    E->nin = c->nin;
    const char *arrow = strstr(eq, "->");
    const char *lhs_end = arrow ? arrow : eq + strlen(eq);
    /* Terms of the inputs, and the rank of the broadcast ellipsis. */
    const char *ts[MAXIN], *te[MAXIN];
    int ell[MAXIN], mell = 0, i = 0;
    for (const char *p = eq;; i++) {
        const char *comma = memchr(p, ',', (size_t)(lhs_end - p));
        const char *q = comma ? comma : lhs_end;
        if (i >= c->nin)
            return ig__kerr(c, IG_EINVAL, "equation '%s' has more terms than "
                            "the %d inputs", eq, c->nin);
        if (!ig__has_in(c, i))
            return ig__kerr(c, IG_EINVAL, "input %d is missing", i);
        int he, nlet = count_letters(p, q, &he);
        int rank = c->in[i]->rank;
        if (nlet < 0)
            return ig__kerr(c, IG_EINVAL, "bad character in term %d of '%s'",
                            i, eq);
        ell[i] = he ? rank - nlet : 0;
        if ((he && ell[i] < 0) || (!he && nlet != rank))
            return ig__kerr(c, IG_ESHAPE, "term %d of '%s' does not match rank %d",
                            i, eq, rank);
        if (ell[i] > mell)
            mell = ell[i];
        ts[i] = p;
        te[i] = q;
        if (!comma)
            break;
        p = comma + 1;
    }
    if (i + 1 != c->nin)
        return ig__kerr(c, IG_EINVAL, "equation '%s' has %d terms for %d inputs",
                        eq, i + 1, c->nin);
    int cnt[NID] = {0};
    for (i = 0; i < c->nin; i++) {
        const ig_tensor *t = c->in[i];
        int n = parse_term(ts[i], te[i], ell[i], mell, E->lab[i]);
        if (n != t->rank)
            return ig__kerr(c, IG_EINVAL, "bad term %d in equation '%s'", i, eq);
        E->nlab[i] = n;
        for (int a = 0; a < n; a++) {
            int l = E->lab[i][a];
            int64_t d = t->dims[a];
            cnt[l]++;
            if (E->ext[l] < 0 || E->ext[l] == d)
                E->ext[l] = d;
            else if (l >= NL && (E->ext[l] == 1 || d == 1))
                E->ext[l] = E->ext[l] == 1 ? d : E->ext[l]; /* broadcast */
            else
                return ig__kerr(c, IG_ESHAPE, "label '%c' has extents %lld and "
                                "%lld", l < NL ? lab_ascii(l) : '.',
                                (long long)E->ext[l], (long long)d);
        }
    }
    if (arrow) {
        int n = parse_term(arrow + 2, arrow + 2 + strlen(arrow + 2), mell, mell,
                           E->out);
        if (n < 0)
            return ig__kerr(c, IG_EINVAL, "bad output term in '%s'", eq);
        E->nout = n;
        for (int a = 0; a < n; a++) {
            int l = E->out[a];
            if (E->ext[l] < 0)
                return ig__kerr(c, IG_EINVAL, "output label '%c' is in no input",
                                lab_ascii(l));
            for (int b = 0; b < a; b++)
                if (E->out[b] == l)
                    return ig__kerr(c, IG_EINVAL, "output label '%c' repeats",
                                    lab_ascii(l));
        }
    } else {
        for (int k = 0; k < mell; k++)
            E->out[E->nout++] = NL + k;
        for (int ch = 'A'; ch <= 'z'; ch++) {
            int l = lab_id((char)ch);
            if (l >= 0 && cnt[l] == 1) {
                if (E->nout >= IG_MAX_RANK)
                    return ig__kerr(c, IG_EUNSUPPORTED, "output rank above %d",
                                    IG_MAX_RANK);
                E->out[E->nout++] = l;
            }
        }
    }
    unsigned char in_out[NID] = {0};
    for (int a = 0; a < E->nout; a++)
        in_out[E->out[a]] = 1;
    for (int l = 0; l < NID; l++)
        if (E->ext[l] >= 0 && !in_out[l])
            E->sum[E->nsum++] = l;
    return 0;
}

static int Einsum_infer(ig__kctx *c)
{
    for (int i = 0; i < c->nin; i++) {
        int rc = ig__x_dtype_in(c, i, "input",
                                IG__X_NUM | (1u << IG_DT_DOUBLE));
        if (rc)
            return rc;
        if (c->in[i]->dtype != c->in[0]->dtype)
            return ig__kerr(c, IG_EINVAL, "input dtypes differ");
    }
    struct es E;
    int rc = es_parse(c, &E);
    if (rc)
        return rc;
    if (!ig__has_out(c, 0))
        return ig__kerr(c, IG_EINVAL, "output 0 is missing");
    int64_t dims[IG_MAX_RANK];
    for (int a = 0; a < E.nout; a++)
        dims[a] = E.ext[E.out[a]];
    return ig_tensor_set_shape(c->out[0], c->in[0]->dtype, E.nout, dims);
}

static int Einsum_run(ig__kctx *c)
{
    struct es E;
    int rc = es_parse(c, &E);
    if (rc)
        return rc;
    int n = E.nin, dt = c->in[0]->dtype;
    int isf = dt == IG_DT_FLOAT || dt == IG_DT_DOUBLE;
    /* st[i][l]: input i's element stride per step of label l. */
    int64_t st[MAXIN][NID];
    memset(st, 0, sizeof st);
    for (int i = 0; i < n; i++) {
        int64_t s[IG_MAX_RANK];
        ig__strides(c->in[i]->rank, c->in[i]->dims, s);
        for (int a = 0; a < E.nlab[i]; a++)
            if (c->in[i]->dims[a] != 1)
                st[i][E.lab[i][a]] += s[a];
    }
    ig_tensor *y = c->out[0];
    int64_t nsum = 1;
    for (int k = 0; k < E.nsum; k++)
        nsum *= E.ext[E.sum[k]];
    int64_t oidx[IG_MAX_RANK] = {0}, base[MAXIN] = {0};
    for (int64_t o = 0; o < y->numel; o++) {
        int64_t sidx[NID] = {0}, off[MAXIN];
        memcpy(off, base, sizeof off);
        double acc = 0;
        int64_t iacc = 0;
        for (int64_t t = 0; t < nsum; t++) {
            if (isf) {
                double p = 1;
                for (int i = 0; i < n; i++)
                    p *= dt == IG_DT_FLOAT
                             ? ((const float *)c->in[i]->data)[off[i]]
                             : ((const double *)c->in[i]->data)[off[i]];
                acc += p;
            } else {
                uint64_t p = 1;
                for (int i = 0; i < n; i++)
                    p *= (uint64_t)(c->in[i]->dtype == IG_DT_INT64
                                        ? ((const int64_t *)c->in[i]->data)[off[i]]
                                        : ((const int32_t *)c->in[i]->data)[off[i]]);
                iacc = (int64_t)((uint64_t)iacc + p);
            }
            for (int k = E.nsum - 1; k >= 0; k--) {
                int l = E.sum[k];
                for (int i = 0; i < n; i++)
                    off[i] += st[i][l];
                if (++sidx[k] < E.ext[l])
                    break;
                for (int i = 0; i < n; i++)
                    off[i] -= st[i][l] * E.ext[l];
                sidx[k] = 0;
            }
        }
        if (dt == IG_DT_FLOAT)
            ((float *)y->data)[o] = (float)acc;
        else if (dt == IG_DT_DOUBLE)
            ((double *)y->data)[o] = acc;
        else if (y->dtype == IG_DT_INT64)
            ((int64_t *)y->data)[o] = iacc;
        else
            ((int32_t *)y->data)[o] = (int32_t)(uint32_t)(uint64_t)iacc;
        for (int a = E.nout - 1; a >= 0; a--) {
            int l = E.out[a];
            for (int i = 0; i < n; i++)
                base[i] += st[i][l];
            if (++oidx[a] < E.ext[l])
                break;
            for (int i = 0; i < n; i++)
                base[i] -= st[i][l] * E.ext[l];
            oidx[a] = 0;
        }
    }
    return 0;
}

const ig__op ig__op_Einsum = {"Einsum", 12, Einsum_infer, Einsum_run};
