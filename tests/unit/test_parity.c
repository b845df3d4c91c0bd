/* test_parity.c — the comparison behind every conformance verdict:
 * the allclose rule, NaN/Inf matching, exact integers, shape mismatch;
 * and the golden-file check of `bench --ort` (gate C's three rules). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../backends/graph/onnx_io.h"
#include "../../harness/parity.h"

static ig_tensor vec(int dtype, void *data, int64_t n)
{
    ig_tensor t;
    memset(&t, 0, sizeof t);
    ig_tensor_set_shape(&t, dtype, 1, &n);
    t.data = data;
    return t;
}

static void test_allclose_rule(void **state)
{
    (void)state;
    float want[3] = {1.0f, 100.0f, 0.0f};
    float got[3] = {1.0005f, 100.09f, 5e-6f};
    ig_tensor g = vec(IG_DT_FLOAT, got, 3), w = vec(IG_DT_FLOAT, want, 3);
    ig__parity r;
    assert_true(ig__parity_compare(&g, &w, 1e-3, 1e-5, &r));
    assert_int_equal(r.n_bad, 0);
    assert_true(fabs(r.max_abs - 0.09) < 1e-4);
    got[1] = 100.2f; /* 0.2 > 1e-5 + 0.1 */
    assert_false(ig__parity_compare(&g, &w, 1e-3, 1e-5, &r));
    assert_int_equal(r.n_bad, 1);
    assert_int_equal(r.first_bad, 1);
    got[1] = 100.0f;
    got[2] = 2e-5f; /* |d| = 2e-5 > atol, want = 0 */
    assert_false(ig__parity_compare(&g, &w, 1e-3, 1e-5, &r));
    assert_int_equal(r.first_bad, 2);
}

/* max_rel is a figure of the outputs alone: the tolerances change the
 * verdict, never the figure printed beside it. */
static void test_max_rel_independent_of_tolerance(void **state)
{
    (void)state;
    float want[4] = {1e-6f, 2.0f, 0.0f, -4.0f};
    float got[4] = {1.5e-6f, 2.002f, 1e-7f, -4.0f};
    ig_tensor g = vec(IG_DT_FLOAT, got, 4), w = vec(IG_DT_FLOAT, want, 4);
    ig__parity a, b, c;
    ig__parity_compare(&g, &w, 1e-3, 1e-5, &a);
    ig__parity_compare(&g, &w, 1e-3, 1e-9, &b);
    ig__parity_compare(&g, &w, 0.5, 1.0, &c);
    /* Over every nonzero want: the 1e-6 element's 0.5 dominates. */
    assert_true(fabs(a.max_rel - 0.5) < 1e-3);
    assert_true(a.max_rel == b.max_rel && b.max_rel == c.max_rel);
    assert_true(a.max_abs == c.max_abs);
}

static void test_nan_inf(void **state)
{
    (void)state;
    float want[3] = {NAN, INFINITY, 1.0f};
    float got[3] = {NAN, INFINITY, 1.0f};
    ig_tensor g = vec(IG_DT_FLOAT, got, 3), w = vec(IG_DT_FLOAT, want, 3);
    ig__parity r;
    assert_true(ig__parity_compare(&g, &w, 1e-3, 1e-5, &r));
    got[1] = -INFINITY;
    assert_false(ig__parity_compare(&g, &w, 1e-3, 1e-5, &r));
    assert_int_equal(r.nan_mismatch, 1);
    got[1] = INFINITY;
    got[2] = NAN;
    assert_false(ig__parity_compare(&g, &w, 1e-3, 1e-5, &r));
    assert_int_equal(r.first_bad, 2);
}

static void test_integers_exact(void **state)
{
    (void)state;
    int64_t want[2] = {5, 1000000};
    int64_t got[2] = {5, 1000001};
    ig_tensor g = vec(IG_DT_INT64, got, 2), w = vec(IG_DT_INT64, want, 2);
    ig__parity r;
    /* Within rtol for floats, but integers compare exactly. */
    assert_false(ig__parity_compare(&g, &w, 1e-3, 1e-5, &r));
    got[1] = 1000000;
    assert_true(ig__parity_compare(&g, &w, 1e-3, 1e-5, &r));
}

static void test_shape_mismatch(void **state)
{
    (void)state;
    float a[4] = {0};
    ig_tensor g = vec(IG_DT_FLOAT, a, 4), w = vec(IG_DT_FLOAT, a, 3);
    ig__parity r;
    assert_false(ig__parity_compare(&g, &w, 1e-3, 1e-5, &r));
    assert_false(r.shape_ok);
    ig_tensor gi = vec(IG_DT_INT32, a, 3);
    assert_false(ig__parity_compare(&gi, &w, 1e-3, 1e-5, &r));
    assert_false(r.shape_ok);
}

static void test_metrics(void **state)
{
    (void)state;
    float want[2] = {3.0f, 4.0f};
    float got[2] = {3.0f, 4.0f};
    ig_tensor g = vec(IG_DT_FLOAT, got, 2), w = vec(IG_DT_FLOAT, want, 2);
    ig__parity r;
    ig__parity_compare(&g, &w, 0, 0, &r);
    assert_true(fabs(r.cosine - 1.0) < 1e-12);
    assert_true(r.rmse == 0.0);
    got[0] = -3.0f;
    got[1] = -4.0f;
    ig__parity_compare(&g, &w, 0, 0, &r);
    assert_true(fabs(r.cosine + 1.0) < 1e-12);
    assert_true(fabs(r.rmse - sqrt(50.0)) < 1e-9); /* diffs 6 and 8 */
}

/* A case folder with test_data_set_0/output_0.pb = want. */
static void golden_dir(char *dir, size_t n, const ig_tensor *want)
{
    snprintf(dir, n, "/tmp/ig-parity-XXXXXX");
    assert_non_null(mkdtemp(dir));
    char p[512], msg[256];
    snprintf(p, sizeof p, "%s/test_data_set_0", dir);
    assert_int_equal(mkdir(p, 0777), 0);
    snprintf(p, sizeof p, "%s/test_data_set_0/output_0.pb", dir);
    assert_int_equal(ig__tensor_write_pb(p, want, "y", msg, sizeof msg), 0);
}

static void rm_golden(const char *dir)
{
    char p[512];
    snprintf(p, sizeof p, "%s/test_data_set_0/output_0.pb", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/test_data_set_0", dir);
    rmdir(p);
    rmdir(dir);
}

static void test_golden_rules(void **state)
{
    (void)state;
    float want[3] = {1.0f, 100.0f, 0.5f};
    float got[3] = {1.0005f, 100.05f, 0.5f};
    ig_tensor w = vec(IG_DT_FLOAT, want, 3), g = vec(IG_DT_FLOAT, got, 3);
    char dir[64], why[256];
    double mx;
    golden_dir(dir, sizeof dir, &w);
    assert_int_equal(ig__parity_golden(dir, &g, 1, 1e-3, 1e-5, 0.1, &mx, why, sizeof why), 1);
    assert_true(fabs(mx - 0.05) < 1e-4);
    /* Within rtol*|want| (0.1 at 100) but past the L-infinity bound. */
    assert_int_equal(ig__parity_golden(dir, &g, 1, 1e-3, 1e-5, 0.01, &mx, why, sizeof why), 0);
    assert_non_null(strstr(why, "L-infinity"));
    got[0] = 1.01f; /* 0.01 > 1e-5 + 1e-3 */
    assert_int_equal(ig__parity_golden(dir, &g, 1, 1e-3, 1e-5, 0.1, &mx, why, sizeof why), 0);
    assert_non_null(strstr(why, "1 elements beyond atol"));
    got[0] = NAN;
    assert_int_equal(ig__parity_golden(dir, &g, 1, 1e-3, 1e-5, 0.1, &mx, why, sizeof why), 0);
    assert_non_null(strstr(why, "NaN/Inf"));
    /* No golden for a second output: only output 0 is judged. */
    got[0] = 1.0f;
    ig_tensor two[2] = {g, g};
    assert_int_equal(ig__parity_golden(dir, two, 2, 1e-3, 1e-5, 0.1, &mx, why, sizeof why), 1);
    rm_golden(dir);
    assert_int_equal(ig__parity_golden(dir, &g, 1, 1e-3, 1e-5, 0.1, &mx, why, sizeof why), -1);
    assert_int_equal(ig__parity_golden("", &g, 1, 1e-3, 1e-5, 0.1, &mx, why, sizeof why), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allclose_rule),
        cmocka_unit_test(test_max_rel_independent_of_tolerance),
        cmocka_unit_test(test_nan_inf),
        cmocka_unit_test(test_integers_exact),
        cmocka_unit_test(test_shape_mismatch),
        cmocka_unit_test(test_metrics),
        cmocka_unit_test(test_golden_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
