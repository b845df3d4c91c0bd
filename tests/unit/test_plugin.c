/* test_plugin.c — the plugin loader: the example plugin (examples/plugin/
 * echo.c) loads by path and by $IG_PLUGIN_PATH search and runs a model;
 * plugins built for another ABI version, with a too-small table, without
 * the entry symbol or returning no table are refused with IG_EABI and a
 * message naming the file and both sides; a missing file is IG_ENOTFOUND;
 * closing the backend unloads the shared object.  The plugins are built by
 * tests/integration/plugin.cmake, which passes their folder in
 * IG_TEST_PLUGIN_DIR; without it these tests are skipped. */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "abi.h"
#include "graph/onnx_io.h"

#include "mbuild.h"

/* ---- helpers ------------------------------------------------------------ */

#ifdef IG_TEST_PLUGIN_DIR
static const char *const plugin_dir = IG_TEST_PLUGIN_DIR;
#else
static const char *const plugin_dir = NULL;
#endif

static const char *plugin(const char *file, char *buf, size_t len)
{
    if (!plugin_dir)
        skip();
    snprintf(buf, len, "%s/%s", plugin_dir, file);
    return buf;
}

static uint8_t *one_node(const char *op, size_t *len)
{
    mb_value in[] = {{"x", IG_DT_FLOAT, 2, {2, 3}}};
    mb_value out[] = {{"y", IG_DT_FLOAT, 2, {2, 3}}};
    mb_node nodes[] = {{op, {"x"}, {"y"}}};
    return mb_pack(in, 1, out, 1, nodes, 1, NULL, 0, len);
}

/* Opens "plugin:SPEC"; returns the error, message in msg. */
static int open_plugin(const char *spec, ig__be **be, char *msg, size_t msglen)
{
    char full[4200];
    snprintf(full, sizeof full, "plugin:%s", spec);
    *be = NULL;
    msg[0] = 0;
    return ig__backend_open(full, be, msg, msglen);
}

static void expect_refused(const char *spec, int want_rc, const char *n1, const char *n2,
                           const char *n3)
{
    ig__be *be;
    char msg[1024];
    int rc = open_plugin(spec, &be, msg, sizeof msg);
    const char *needles[] = {n1, n2, n3};
    for (int i = 0; i < 3; i++)
        if (needles[i] && !strstr(msg, needles[i]))
            fail_msg("'%s': message '%s' lacks '%s'", spec, msg, needles[i]);
    if (rc != want_rc)
        fail_msg("'%s': rc %d (%s), expected %d", spec, rc, msg, want_rc);
    assert_null(be);
}

/* ---- tests ---------------------------------------------------------------- */

/* Loads the example, runs the Identity model through it, checks dispatch,
 * and checks that closing unloads the object. */
static void test_load_and_run(void **state)
{
    (void)state;
    char path[4096], spec[4200], msg[1024];
    plugin("libig-echo.so", path, sizeof path);
    snprintf(spec, sizeof spec, "%s,label=unit", path);
    ig__be *be;
    assert_int_equal(open_plugin(spec, &be, msg, sizeof msg), 0);
    assert_non_null(be->lib);
    assert_string_equal(be->t->name, "echo");
    ig_probe_info info;
    assert_int_equal(ig__be_probe(be, &info), 0);
    assert_non_null(strstr(info.device, "unit"));

    size_t len;
    uint8_t *model = one_node("Identity", &len);
    float xv[6] = {1, -2, 3.5f, 0, 5, -6};
    ig_tensor x;
    int64_t dims[2] = {2, 3};
    memset(&x, 0, sizeof x);
    ig_tensor_set_shape(&x, IG_DT_FLOAT, 2, dims);
    x.data = xv;
    ig_artifact a = {"identity.onnx", model, len, 1, &x};
    void *compiled, *inst;
    assert_int_equal(ig__be_compile(be, &a, &compiled, msg, sizeof msg), 0);
    assert_int_equal(ig__be_load(be, compiled, &inst, msg, sizeof msg), 0);
    ig_tensor y;
    assert_int_equal(ig__be_predict(be, inst, &x, 1, &y, 1, msg, sizeof msg), 0);
    assert_int_equal(y.dtype, IG_DT_FLOAT);
    assert_int_equal(y.rank, 2);
    assert_int_equal(y.dims[0], 2);
    assert_int_equal(y.dims[1], 3);
    assert_int_equal(y.cap, 0);
    assert_true(y.data != (void *)xv); /* a copy the plugin owns */
    assert_memory_equal(y.data, xv, sizeof xv);
    const ig_dispatch_entry *e;
    int n;
    assert_int_equal(ig__be_dispatch(be, inst, &e, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(e[0].op, "Identity");
    assert_int_equal(e[0].accelerated, 1);
    ig__be_unload(be, inst);
    ig__be_free_compiled(be, compiled);

    /* A model it cannot run: IG_EUNSUPPORTED naming the op. */
    free(model);
    model = one_node("Relu", &len);
    a.bytes = model;
    a.len = len;
    assert_int_equal(ig__be_compile(be, &a, &compiled, msg, sizeof msg), IG_EUNSUPPORTED);
    assert_non_null(strstr(msg, "Relu"));
    assert_non_null(strstr(msg, "identity.onnx"));
    free(model);

    /* While open, the object is loaded; after close it is not. */
    void *h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    assert_non_null(h);
    dlclose(h);
    ig__backend_close(be);
    h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    if (h)
        dlclose(h);
    assert_null(h);
}

static void test_abi_version_refused(void **state)
{
    (void)state;
    char path[4096];
    plugin("libig-echo-abi99.so", path, sizeof path);
    expect_refused(path, IG_EABI, path, "ABI version 99", "speaks version 1");
}

static void test_small_table_refused(void **state)
{
    (void)state;
    char path[4096];
    plugin("libig-tiny-table.so", path, sizeof path);
    expect_refused(path, IG_EABI, path, "16 bytes", "ABI");
}

static void test_missing_symbol_refused(void **state)
{
    (void)state;
    char path[4096];
    plugin("libig-no-entry.so", path, sizeof path);
    expect_refused(path, IG_EABI, path, "'ig_backend_entry'", "ABI");
}

static void test_null_table_refused(void **state)
{
    (void)state;
    char path[4096];
    plugin("libig-null-table.so", path, sizeof path);
    expect_refused(path, IG_EABI, path, "NULL", NULL);
}

static void test_missing_file_refused(void **state)
{
    (void)state;
    expect_refused("/nonexistent/libig-nothing.so", IG_ENOTFOUND,
                   "/nonexistent/libig-nothing.so", "cannot load", NULL);
    /* Not a shared object at all. */
    expect_refused("/etc/passwd", IG_ENOTFOUND, "/etc/passwd", "cannot load", NULL);
}

static void test_bad_spec_and_options(void **state)
{
    (void)state;
    expect_refused("", IG_EUSAGE, "plugin:PATH_OR_NAME", NULL, NULL);
    expect_refused(",label=x", IG_EUSAGE, "plugin:PATH_OR_NAME", NULL, NULL);
    char path[4096], spec[4200];
    plugin("libig-echo.so", path, sizeof path);
    snprintf(spec, sizeof spec, "%s,colour=blue", path);
    expect_refused(spec, IG_EUSAGE, path, "'colour'", NULL);
}

static void test_search_path(void **state)
{
    (void)state;
    char path[4096], env[4200], msg[1024];
    plugin("libig-echo.so", path, sizeof path);
    snprintf(env, sizeof env, "/nonexistent:%s", plugin_dir);
    setenv("IG_PLUGIN_PATH", env, 1);
    static const char *const names[] = {"echo", "ig-echo", "libig-echo.so"};
    for (int i = 0; i < 3; i++) {
        ig__be *be;
        if (open_plugin(names[i], &be, msg, sizeof msg) != 0)
            fail_msg("bare name '%s' not found: %s", names[i], msg);
        assert_string_equal(be->t->name, "echo");
        ig__backend_close(be);
    }
    expect_refused("nosuch", IG_ENOTFOUND, "'nosuch'", "libig-nosuch.so", env);
    /* The ABI check applies to plugins found by name too. */
    expect_refused("echo-abi99", IG_EABI, "ABI version 99", NULL, NULL);
    unsetenv("IG_PLUGIN_PATH");
    expect_refused("echo", IG_ENOTFOUND, "IG_PLUGIN_PATH is not set", NULL, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_and_run),
        cmocka_unit_test(test_abi_version_refused),
        cmocka_unit_test(test_small_table_refused),
        cmocka_unit_test(test_missing_symbol_refused),
        cmocka_unit_test(test_null_table_refused),
        cmocka_unit_test(test_missing_file_refused),
        cmocka_unit_test(test_bad_spec_and_options),
        cmocka_unit_test(test_search_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
