/* test_bench_ort.c — `infergate bench --ort DIR`'s reader: ONNX Runtime's
 * p50 per model and its thread settings from a results directory, and the
 * thread count an adapter states in its probe strings. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../harness/bench_ort.h"
#include "infergate/error.h"

static void test_threads_stated(void **state)
{
    (void)state;
    assert_int_equal(ig__threads_stated("cpu: OpenBLAS core Haswell, 2 threads", "OpenBLAS 0.3.21"), 2);
    assert_int_equal(ig__threads_stated("cpu (x86_64)", "oneDNN 2.6.3 (OpenMP, 1 threads)"), 1);
    assert_int_equal(ig__threads_stated("cpu, 16 thread pool", NULL), 16);
    assert_int_equal(ig__threads_stated("cpu (x86_64)", "infergate reference kernels"), -1);
    assert_int_equal(ig__threads_stated("avx2 threads", "v2threads"), -1);
    assert_int_equal(ig__threads_stated(NULL, NULL), -1);
}

static void write_run(const char *dir, const char *json)
{
    char p[512];
    snprintf(p, sizeof p, "%s/run.json", dir);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(json, f);
    fclose(f);
}

#define CELL(model, suite, status, metrics)                                                \
    "{\"id\": \"onnxruntime." model "." suite "\", \"backend\": \"onnxruntime\", "         \
    "\"model\": \"" model "\", \"suite\": \"" suite "\", \"status\": \"" status "\", "     \
    "\"metrics\": [" metrics "]}"
#define M(name, v) "{\"metric\": \"" name "\", \"value\": " #v ", \"unit\": \"ms\"}"
#define MO(out, name, v)                                                                   \
    "{\"output\": \"" out "\", \"metric\": \"" name "\", \"value\": " #v ", \"unit\": \"abs\"}"

static void test_load(void **state)
{
    (void)state;
    char dir[] = "/tmp/ig-ortref-XXXXXX", msg[512];
    assert_non_null(mkdtemp(dir));
    write_run(dir,
              "{\"schema_version\": 1, \"run_id\": \"r1\", \"config\": {\"onnxruntime\": "
              "{\"version\": \"1.31.1\", \"intra_op_num_threads\": 1, "
              "\"inter_op_num_threads\": 1, \"execution_mode\": \"sequential\"}}, "
              "\"env\": {\"warnings\": [\"high load: the 1-minute load average is 7\"]}, "
              "\"cells\": [" CELL("a", "parity", "failed", MO("y", "golden_max_abs", 2e-5) ","
                                  MO("z", "golden_max_abs", 1e-6) "," M("parity_pass", 0)) ","
              CELL("a", "latency", "ok", M("p50", 1.5) "," M("samples", 700)) ","
              CELL("b", "latency", "failed", M("p50", 9)) ","
              CELL("c", "latency", "ok", M("p50", 4)) ","
              CELL("c", "latency", "ok", M("p50", 3)) "]}");
    ig__ort_ref r;
    assert_int_equal(ig__ort_ref_load(dir, &r, msg, sizeof msg), 0);
    assert_string_equal(r.run_id, "r1");
    assert_string_equal(r.version, "1.31.1");
    assert_string_equal(r.mode, "sequential");
    assert_int_equal(r.intra_threads, 1);
    assert_int_equal(r.inter_threads, 1);
    assert_int_equal(r.high_load, 1);
    assert_int_equal(r.n, 2); /* b failed; c's rerun replaces its first cell */
    const ig__ort_model *a = ig__ort_ref_find(&r, "a");
    assert_non_null(a);
    assert_true(a->p50_ms == 1.5);
    assert_int_equal(a->samples, 700);
    assert_int_equal(a->parity, 0);
    assert_true(fabs(a->max_abs - 2e-5) < 1e-12);
    const ig__ort_model *c = ig__ort_ref_find(&r, "c");
    assert_non_null(c);
    assert_true(c->p50_ms == 3);
    assert_int_equal(c->parity, -1);
    assert_true(isnan(c->max_abs));
    assert_null(ig__ort_ref_find(&r, "b"));
    ig__ort_ref_free(&r);
    ig__ort_ref_free(&r); /* safe twice */

    /* A lab run without onnxruntime cells, and no thread settings. */
    write_run(dir, "{\"cells\": [{\"backend\": \"onednn\", \"model\": \"a\", \"suite\": "
                   "\"latency\", \"status\": \"ok\", \"metrics\": [" M("p50", 1) "]}]}");
    assert_int_equal(ig__ort_ref_load(dir, &r, msg, sizeof msg), IG_EPARSE);
    assert_non_null(strstr(msg, "no onnxruntime latency cell"));
    char p[512];
    snprintf(p, sizeof p, "%s/run.json", dir);
    unlink(p);
    assert_int_equal(ig__ort_ref_load(dir, &r, msg, sizeof msg), IG_ENOTFOUND);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_stated),
        cmocka_unit_test(test_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
