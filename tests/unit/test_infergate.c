/* test_infergate.c — the embedding library (include/infergate/infergate.h):
 * backend defaults in JSON and TOML (round trips, the exact TOML text, and
 * every kind of bad file, each error naming the file and the key or line),
 * probing, and sessions that fall back along the chain through the
 * circuit breaker.
 *
 * The model is a two-input-free Add (y = x + w, 2x3) built here with
 * protobuf-c, so the test needs no fixture files; everything it writes
 * lands in a fresh mkdtemp folder removed at the end.  Sessions use an
 * injected clock that only moves when a test moves it, so "the breaker is
 * still open" is a fact, not a timing hope. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "graph/onnx_io.h"
#include "infergate/infergate.h"

static char tmpdir[256];
static char model_path[512];

#define SEC 1000000000ull
static uint64_t fake_now = 1000 * SEC;

static uint64_t fake_clock(void *user)
{
    (void)user;
    return fake_now;
}

/* ---- files ------------------------------------------------------------------------ */

static const char *tmp(const char *name)
{
    static char buf[4][600];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[16384];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return buf;
}

/* ---- the model: y[2,3] = x[2,3] + w ------------------------------------------------ */

static const float wadd[6] = {0.5f, -1, 2, 3, -4, 0.25f};
static float xadd[6] = {1, -2, 3, -4, 5, -6};

static IgOnnx__ValueInfoProto *value_info(const char *name, IgOnnx__TypeProto *t,
                                          IgOnnx__TypeProto__Tensor *tt,
                                          IgOnnx__TensorShapeProto *s,
                                          IgOnnx__TensorShapeProto__Dimension *d,
                                          IgOnnx__TensorShapeProto__Dimension **dp,
                                          IgOnnx__ValueInfoProto *vi)
{
    ig_onnx__value_info_proto__init(vi);
    ig_onnx__type_proto__init(t);
    ig_onnx__type_proto__tensor__init(tt);
    ig_onnx__tensor_shape_proto__init(s);
    vi->name = (char *)name;
    vi->type = t;
    t->value_case = IG_ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    t->tensor_type = tt;
    tt->has_elem_type = 1;
    tt->elem_type = IG_DT_FLOAT;
    for (int i = 0; i < 2; i++) {
        ig_onnx__tensor_shape_proto__dimension__init(&d[i]);
        d[i].value_case = IG_ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
        d[i].dim_value = i == 0 ? 2 : 3;
        dp[i] = &d[i];
    }
    s->n_dim = 2;
    s->dim = dp;
    tt->shape = s;
    return vi;
}

static void write_model(const char *path)
{
    IgOnnx__ModelProto m;
    IgOnnx__GraphProto g;
    IgOnnx__OperatorSetIdProto os, *osp[1] = {&os};
    IgOnnx__NodeProto node, *np[1] = {&node};
    IgOnnx__TensorProto w, *wp[1] = {&w};
    IgOnnx__TypeProto t[2];
    IgOnnx__TypeProto__Tensor tt[2];
    IgOnnx__TensorShapeProto s[2];
    IgOnnx__TensorShapeProto__Dimension d[2][2], *dp[2][2];
    IgOnnx__ValueInfoProto vi[2], *vin[1], *vout[1];
    static const char *in_names[] = {"x", "w"}, *out_names[] = {"y"};
    static int64_t wdims[] = {2, 3};
    ig_onnx__model_proto__init(&m);
    ig_onnx__graph_proto__init(&g);
    ig_onnx__operator_set_id_proto__init(&os);
    ig_onnx__node_proto__init(&node);
    ig_onnx__tensor_proto__init(&w);
    os.has_version = 1;
    os.version = 13;
    m.has_ir_version = 1;
    m.ir_version = 8;
    m.n_opset_import = 1;
    m.opset_import = osp;
    m.graph = &g;
    g.name = (char *)"add";
    node.op_type = (char *)"Add";
    node.name = (char *)"add0";
    node.n_input = 2;
    node.input = (char **)in_names;
    node.n_output = 1;
    node.output = (char **)out_names;
    g.n_node = 1;
    g.node = np;
    w.name = (char *)"w";
    w.has_data_type = 1;
    w.data_type = IG_DT_FLOAT;
    w.n_dims = 2;
    w.dims = wdims;
    w.n_float_data = 6;
    w.float_data = (float *)wadd;
    g.n_initializer = 1;
    g.initializer = wp;
    vin[0] = value_info("x", &t[0], &tt[0], &s[0], d[0], dp[0], &vi[0]);
    vout[0] = value_info("y", &t[1], &tt[1], &s[1], d[1], dp[1], &vi[1]);
    g.n_input = 1;
    g.input = vin;
    g.n_output = 1;
    g.output = vout;
    size_t len = ig_onnx__model_proto__get_packed_size(&m);
    uint8_t *buf = malloc(len);
    assert_non_null(buf);
    ig_onnx__model_proto__pack(&m, buf);
    char msg[512] = "";
    assert_int_equal(ig__write_file(path, buf, len, msg, sizeof msg), 0);
    free(buf);
}

static ig_tensor x_tensor(void)
{
    ig_tensor t;
    memset(&t, 0, sizeof t);
    int64_t dims[2] = {2, 3};
    ig_tensor_set_shape(&t, IG_DT_FLOAT, 2, dims);
    t.data = xadd;
    return t;
}

static void assert_add_output(const ig_tensor *y)
{
    assert_int_equal(y->dtype, IG_DT_FLOAT);
    assert_int_equal(y->rank, 2);
    assert_int_equal(y->numel, 6);
    const float *v = y->data;
    assert_non_null(v);
    for (int i = 0; i < 6; i++)
        assert_true(v[i] == xadd[i] + wadd[i]);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ig-test-infergate-XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    snprintf(model_path, sizeof model_path, "%s/add.onnx", tmpdir);
    write_model(model_path);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    DIR *dir = opendir(tmpdir);
    if (dir) {
        struct dirent *e;
        while ((e = readdir(dir)) != NULL)
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                unlink(tmp(e->d_name));
        closedir(dir);
    }
    rmdir(tmpdir);
    return 0;
}

/* ---- defaults: building and reading back ---------------------------------------- */

static ig_defaults *sample_defaults(void)
{
    ig_defaults *d = NULL;
    char msg[512] = "";
    assert_int_equal(ig_defaults_create(&d), 0);
    assert_int_equal(ig_defaults_set_provenance(d, "run-42", "2024-05-01T12:00:00Z",
                                                msg, sizeof msg), 0);
    ig_chain_entry e;
    ig_chain_entry_init(&e);
    e.backend = "onednn";
    e.version = "oneDNN v3.4.1 (avx2)";
    e.dispatch = 0.97;
    e.p99_ms = 0.81;
    e.run_id = "run-42";
    e.time = "2024-05-01T11:58:00Z";
    assert_int_equal(ig_defaults_add(d, NULL, &e, msg, sizeof msg), 0);
    ig_chain_entry_init(&e);
    e.backend = "openblas:threads=4";
    e.dispatch = 0.5;
    assert_int_equal(ig_defaults_add(d, NULL, &e, msg, sizeof msg), 0);
    ig_chain_entry_init(&e);
    e.backend = "reference";
    e.p99_ms = 12.25;
    assert_int_equal(ig_defaults_add(d, NULL, &e, msg, sizeof msg), 0);
    ig_chain_entry_init(&e);
    e.backend = "openblas";
    e.version = "OpenBLAS 0.3.21";
    assert_int_equal(ig_defaults_add(d, "mlp-intent", &e, msg, sizeof msg), 0);
    ig_chain_entry_init(&e);
    e.backend = "cuda";
    assert_int_equal(ig_defaults_add(d, "cnn-mobile", &e, msg, sizeof msg), 0);
    return d;
}

static void assert_entry(const ig_defaults *d, const char *model, int i,
                         const char *backend, const char *version, double dispatch,
                         double p99, const char *run_id, const char *time)
{
    ig_chain_entry e;
    assert_int_equal(ig_defaults_chain_entry(d, model, i, &e), 0);
    assert_string_equal(e.backend, backend);
    if (version)
        assert_string_equal(e.version, version);
    else
        assert_null(e.version);
    assert_true(e.dispatch == dispatch);
    assert_true(e.p99_ms == p99);
    if (run_id)
        assert_string_equal(e.run_id, run_id);
    else
        assert_null(e.run_id);
    if (time)
        assert_string_equal(e.time, time);
    else
        assert_null(e.time);
}

static void test_add_rules(void **state)
{
    (void)state;
    ig_defaults *d = sample_defaults();
    char msg[512] = "";
    ig_chain_entry e;
    ig_chain_entry_init(&e);
    assert_null(e.backend);
    assert_true(e.dispatch < 0 && e.p99_ms < 0);
    e.backend = "openblas";
    /* After the reference: refused. */
    assert_int_equal(ig_defaults_add(d, NULL, &e, msg, sizeof msg), IG_EINVAL);
    assert_non_null(strstr(msg, "must be last"));
    /* Twice: refused. */
    assert_int_equal(ig_defaults_add(d, "mlp-intent", &e, msg, sizeof msg), IG_EINVAL);
    assert_non_null(strstr(msg, "twice"));
    assert_non_null(strstr(msg, "mlp-intent"));
    e.backend = "";
    assert_int_equal(ig_defaults_add(d, "mlp-intent", &e, msg, sizeof msg), IG_EINVAL);
    e.backend = "onednn";
    e.dispatch = 1.5;
    assert_int_equal(ig_defaults_add(d, "mlp-intent", &e, msg, sizeof msg), IG_EINVAL);
    assert_int_equal(ig_defaults_add(d, "", &e, msg, sizeof msg), IG_EINVAL);
    /* Nothing refused was stored. */
    assert_int_equal(ig_defaults_chain_len(d, "mlp-intent"), 1);
    assert_int_equal(ig_defaults_chain_len(d, NULL), 3);
    assert_int_equal(ig_defaults_chain_len(d, "nosuch"), IG_ENOTFOUND);
    assert_int_equal(ig_defaults_chain_entry(d, NULL, 3, &e), IG_EINVAL);
    assert_int_equal(ig_defaults_chain_entry(d, "nosuch", 0, &e), IG_ENOTFOUND);
    assert_int_equal(ig_defaults_model_count(d), 2);
    assert_string_equal(ig_defaults_model_name(d, 0), "mlp-intent");
    assert_string_equal(ig_defaults_model_name(d, 1), "cnn-mobile");
    assert_null(ig_defaults_model_name(d, 2));
    assert_string_equal(ig_defaults_run_id(d), "run-42");
    assert_string_equal(ig_defaults_created(d), "2024-05-01T12:00:00Z");
    ig_defaults_destroy(d);
    ig_defaults_destroy(NULL);
}

static void check_sample(const ig_defaults *d, int reference_appended)
{
    assert_string_equal(ig_defaults_run_id(d), "run-42");
    assert_string_equal(ig_defaults_created(d), "2024-05-01T12:00:00Z");
    assert_int_equal(ig_defaults_chain_len(d, NULL), 3);
    assert_entry(d, NULL, 0, "onednn", "oneDNN v3.4.1 (avx2)", 0.97, 0.81, "run-42",
                 "2024-05-01T11:58:00Z");
    assert_entry(d, NULL, 1, "openblas:threads=4", NULL, 0.5, -1, NULL, NULL);
    assert_entry(d, NULL, 2, "reference", NULL, -1, 12.25, NULL, NULL);
    assert_int_equal(ig_defaults_model_count(d), 2);
    assert_string_equal(ig_defaults_model_name(d, 0), "mlp-intent");
    assert_string_equal(ig_defaults_model_name(d, 1), "cnn-mobile");
    assert_int_equal(ig_defaults_chain_len(d, "mlp-intent"), 1 + reference_appended);
    assert_entry(d, "mlp-intent", 0, "openblas", "OpenBLAS 0.3.21", -1, -1, NULL, NULL);
    assert_int_equal(ig_defaults_chain_len(d, "cnn-mobile"), 1 + reference_appended);
    assert_entry(d, "cnn-mobile", 0, "cuda", NULL, -1, -1, NULL, NULL);
    if (reference_appended)
        assert_entry(d, "cnn-mobile", 1, "reference", NULL, -1, -1, NULL, NULL);
}

static void test_json_round_trip(void **state)
{
    (void)state;
    ig_defaults *d = sample_defaults();
    check_sample(d, 0);
    char msg[512] = "";
    const char *p1 = tmp("defaults.json"), *p2 = tmp("defaults2.json");
    assert_int_equal(ig_defaults_save_json(d, p1, msg, sizeof msg), 0);
    ig_defaults_destroy(d);
    const char *text = read_text(p1);
    assert_non_null(strstr(text, "\"schema\": \"infergate-backend-defaults\""));
    assert_non_null(strstr(text, "\"schema_version\": 1"));
    assert_non_null(strstr(text, "\"dispatch\": 0.97,")); /* shortest exact form */
    ig_defaults *r = NULL;
    assert_int_equal(ig_defaults_load(p1, &r, msg, sizeof msg), 0);
    /* The writer ends every chain with the reference. */
    check_sample(r, 1);
    /* Writing what was read gives the same bytes. */
    char first[16384];
    snprintf(first, sizeof first, "%s", read_text(p1));
    assert_int_equal(ig_defaults_save_json(r, p2, msg, sizeof msg), 0);
    assert_string_equal(read_text(p2), first);
    ig_defaults_destroy(r);
    /* load_json reads it whatever the name. */
    assert_int_equal(ig_defaults_load_json(p2, &r, msg, sizeof msg), 0);
    ig_defaults_destroy(r);
}

/* The short form (a chain of plain strings), evidence the reader does not
 * know (ignored), null evidence (unknown), and sniffing without .json. */
static void test_json_short_form(void **state)
{
    (void)state;
    const char *p = tmp("handwritten.defaults");
    write_text(p, "  {\"schema\": \"infergate-backend-defaults\", \"schema_version\": 1,\n"
                  "   \"global\": {\"chain\": [\"openblas\", {\"backend\": \"null\",\n"
                  "     \"evidence\": {\"speedup\": 3.5, \"gates\": {\"A\": \"PASS\"},\n"
                  "                  \"version\": null, \"p99_ms\": 2}}]},\n"
                  "   \"models\": {}}\n");
    ig_defaults *d = NULL;
    char msg[512] = "";
    assert_int_equal(ig_defaults_load(p, &d, msg, sizeof msg), 0);
    assert_int_equal(ig_defaults_chain_len(d, NULL), 2);
    assert_entry(d, NULL, 0, "openblas", NULL, -1, -1, NULL, NULL);
    assert_entry(d, NULL, 1, "null", NULL, -1, 2, NULL, NULL);
    assert_int_equal(ig_defaults_model_count(d), 0);
    assert_null(ig_defaults_run_id(d));
    ig_defaults_destroy(d);
}

/* Whether a model was validated is stated, written before its chain,
 * read back, and the reference is marked as the last resort wherever it
 * stands; a model with no statement reads -1. */
static void test_json_validated(void **state)
{
    (void)state;
    ig_defaults *d = NULL;
    char msg[512] = "";
    assert_int_equal(ig_defaults_create(&d), 0);
    ig_chain_entry e;
    ig_chain_entry_init(&e);
    e.backend = "openblas";
    assert_int_equal(ig_defaults_add(d, "mlp-intent", &e, msg, sizeof msg), 0);
    assert_int_equal(ig_defaults_set_validated(d, "mlp-intent", 1, msg, sizeof msg), 0);
    assert_int_equal(ig_defaults_set_validated(d, "gemm-1024", 0, msg, sizeof msg), 0);
    assert_int_equal(ig_defaults_add(d, "cnn-mobile", &e, msg, sizeof msg), 0);
    assert_int_equal(ig_defaults_validated(d, "mlp-intent"), 1);
    assert_int_equal(ig_defaults_validated(d, "gemm-1024"), 0);
    assert_int_equal(ig_defaults_validated(d, "cnn-mobile"), -1);
    assert_int_equal(ig_defaults_validated(d, "nosuch"), -1);
    assert_int_equal(ig_defaults_validated(d, NULL), -1);
    assert_int_equal(ig_defaults_set_validated(d, NULL, 1, msg, sizeof msg), IG_EINVAL);
    const char *p = tmp("validated.json");
    assert_int_equal(ig_defaults_save_json(d, p, msg, sizeof msg), 0);
    ig_defaults_destroy(d);
    const char *text = read_text(p);
    const char *g = strstr(text, "\"gemm-1024\"");
    assert_non_null(g);
    assert_non_null(strstr(g, "\"validated\": false"));
    assert_true(strstr(g, "\"validated\": false") < strstr(g, "\"chain\""));
    assert_non_null(strstr(g, "\"note\": \"no backend passed"));
    assert_non_null(strstr(g, "\"role\": \"last_resort\""));
    assert_non_null(strstr(text, "\"validated\": true"));
    assert_int_equal(ig_defaults_load(p, &d, msg, sizeof msg), 0);
    assert_int_equal(ig_defaults_validated(d, "mlp-intent"), 1);
    assert_int_equal(ig_defaults_validated(d, "gemm-1024"), 0);
    assert_int_equal(ig_defaults_validated(d, "cnn-mobile"), -1);
    assert_int_equal(ig_defaults_chain_len(d, "gemm-1024"), 1); /* the reference */
    ig_defaults_destroy(d);
}

/* The compressed variant a model's defaults prefer: set, written,
 * read back; refused without a model; a bad type in a file is an error
 * naming the key. */
static void test_json_variant(void **state)
{
    (void)state;
    ig_defaults *d = NULL;
    char msg[512] = "";
    assert_int_equal(ig_defaults_create(&d), 0);
    ig_chain_entry e;
    ig_chain_entry_init(&e);
    e.backend = "onednn";
    assert_int_equal(ig_defaults_add(d, "gemm-1024", &e, msg, sizeof msg), 0);
    assert_null(ig_defaults_variant(d, "gemm-1024"));
    assert_int_equal(ig_defaults_set_variant(d, "gemm-1024", "gemm-1024@int8-static", msg,
                                             sizeof msg), 0);
    assert_int_equal(ig_defaults_set_variant(d, NULL, "x", msg, sizeof msg), IG_EINVAL);
    assert_int_equal(ig_defaults_set_variant(d, "gemm-1024", "", msg, sizeof msg), IG_EINVAL);
    assert_string_equal(ig_defaults_variant(d, "gemm-1024"), "gemm-1024@int8-static");
    const char *p = tmp("variant.json");
    assert_int_equal(ig_defaults_save_json(d, p, msg, sizeof msg), 0);
    ig_defaults_destroy(d);
    assert_non_null(strstr(read_text(p), "\"variant\": \"gemm-1024@int8-static\""));
    assert_int_equal(ig_defaults_load(p, &d, msg, sizeof msg), 0);
    assert_string_equal(ig_defaults_variant(d, "gemm-1024"), "gemm-1024@int8-static");
    assert_null(ig_defaults_variant(d, "nosuch"));
    ig_defaults_destroy(d);
    const char *bad = tmp("variant-bad.json");
    write_text(bad, "{\"models\": {\"m\": {\"variant\": 3, \"chain\": []}}}");
    d = NULL;
    assert_int_equal(ig_defaults_load(bad, &d, msg, sizeof msg), IG_EPARSE);
    assert_non_null(strstr(msg, "variant"));
    assert_null(d);
}

static void expect_load_error(const char *name, const char *text, int want_rc,
                              const char *want1, const char *want2)
{
    const char *p = tmp(name);
    write_text(p, text);
    ig_defaults *d = (ig_defaults *)&d; /* must come back NULL */
    char msg[512] = "";
    int rc = ig_defaults_load(p, &d, msg, sizeof msg);
    if (rc != want_rc || !strstr(msg, p) || (want1 && !strstr(msg, want1)) ||
        (want2 && !strstr(msg, want2)))
        fail_msg("%s: rc %d (want %d), message: %s", name, rc, want_rc, msg);
    assert_null(d);
}

#define HEAD "{\"schema\": \"infergate-backend-defaults\", \"schema_version\": 1, "

static void test_json_errors(void **state)
{
    (void)state;
    expect_load_error("trunc.json", "{\"schema\": ", IG_EPARSE, "ends early", NULL);
    expect_load_error("syntax.json", "{\n  \"schema\" \"x\"\n}", IG_EPARSE, "line 2",
                      NULL);
    expect_load_error("trailing.json", HEAD "\"models\": {}}\n x", IG_EPARSE,
                      "not valid JSON", "line 2");
    expect_load_error("comment.json", HEAD "/* no */ \"models\": {}}", IG_EPARSE,
                      "not valid JSON", NULL);
    expect_load_error("array.json", "[1, 2]", IG_EPARSE, "top", NULL);
    expect_load_error("empty.json", "", IG_EPARSE, NULL, NULL);
    expect_load_error("noversion.json", "{\"schema\": \"infergate-backend-defaults\"}",
                      IG_EPARSE, "schema_version", "missing");
    expect_load_error("strversion.json",
                      "{\"schema\": \"infergate-backend-defaults\", \"schema_version\": \"1\"}",
                      IG_EPARSE, "schema_version", "expected an integer");
    expect_load_error("newer.json",
                      "{\"schema\": \"infergate-backend-defaults\", \"schema_version\": 2, "
                      "\"future\": 1}",
                      IG_EUNSUPPORTED, "schema_version", "newer");
    expect_load_error("noschema.json", "{\"schema_version\": 1}", IG_EPARSE, "schema",
                      "missing");
    expect_load_error("badschema.json", "{\"schema\": \"x\", \"schema_version\": 1}",
                      IG_EPARSE, "schema", "infergate-backend-defaults");
    expect_load_error("topkey.json", HEAD "\"modles\": {}}", IG_EPARSE, "modles",
                      "unknown key");
    expect_load_error("modelkey.json", HEAD "\"models\": {\"mlp\": {\"chian\": []}}}",
                      IG_EPARSE, "models.mlp.chian", "unknown key");
    expect_load_error("validated.json",
                      HEAD "\"models\": {\"mlp\": {\"validated\": \"no\", \"chain\": []}}}",
                      IG_EPARSE, "models.mlp.validated", "true or false");
    expect_load_error("globalvalidated.json",
                      HEAD "\"global\": {\"validated\": true, \"chain\": []}}",
                      IG_EPARSE, "global.validated", "unknown key");
    expect_load_error("entrykey.json",
                      HEAD "\"models\": {\"mlp\": {\"chain\": [{\"backend\": \"x\", "
                      "\"prio\": 1}]}}}",
                      IG_EPARSE, "models.mlp.chain[0].prio", "unknown key");
    expect_load_error("nochain.json", HEAD "\"global\": {}}", IG_EPARSE, "global.chain",
                      "missing");
    expect_load_error("chaintype.json", HEAD "\"global\": {\"chain\": \"onednn\"}}",
                      IG_EPARSE, "global.chain", "expected an array");
    expect_load_error("backendtype.json",
                      HEAD "\"models\": {\"mlp\": {\"chain\": [\"openblas\", "
                      "{\"backend\": 42}]}}}",
                      IG_EPARSE, "models.mlp.chain[1].backend", "expected a string, got a number");
    expect_load_error("nobackend.json",
                      HEAD "\"global\": {\"chain\": [{\"evidence\": {}}]}}", IG_EPARSE,
                      "global.chain[0].backend", "missing");
    expect_load_error("evtype.json",
                      HEAD "\"global\": {\"chain\": [{\"backend\": \"onednn\", "
                      "\"evidence\": {\"dispatch\": \"high\"}}]}}",
                      IG_EPARSE, "global.chain[0].evidence.dispatch", "expected a number");
    expect_load_error("evrange.json",
                      HEAD "\"global\": {\"chain\": [{\"backend\": \"onednn\", "
                      "\"evidence\": {\"dispatch\": 1.5}}]}}",
                      IG_EPARSE, "global.chain[0].evidence.dispatch", "0..1");
    expect_load_error("runid.json", HEAD "\"run_id\": 7}", IG_EPARSE, "run_id",
                      "expected a string");
    expect_load_error("order.json",
                      HEAD "\"global\": {\"chain\": [\"reference\", \"onednn\"]}}",
                      IG_EPARSE, "global.chain[1]", "must be last");
    expect_load_error("dup.json",
                      HEAD "\"global\": {\"chain\": [\"onednn\", \"onednn\"]}}", IG_EPARSE,
                      "global.chain[1]", "twice");
    /* A missing file is an I/O error naming it. */
    ig_defaults *d = NULL;
    char msg[512] = "";
    assert_int_equal(ig_defaults_load(tmp("absent.json"), &d, msg, sizeof msg), IG_EIO);
    assert_non_null(strstr(msg, "absent.json"));
    assert_null(d);
}

/* ---- defaults: TOML ----------------------------------------------------------------- */

static void test_toml_round_trip(void **state)
{
    (void)state;
    ig_defaults *d = NULL;
    char msg[512] = "";
    assert_int_equal(ig_defaults_create(&d), 0);
    assert_int_equal(ig_defaults_set_provenance(d, "run-7", "2024-05-02T08:00:00Z", msg,
                                                sizeof msg), 0);
    ig_chain_entry e;
    ig_chain_entry_init(&e);
    const char *specs[] = {"onednn", "plugin:/opt/my \"q\"\\lib.so", "openblas"};
    for (int i = 0; i < 3; i++) {
        e.backend = specs[i];
        assert_int_equal(ig_defaults_add(d, NULL, &e, msg, sizeof msg), 0);
    }
    e.backend = "cuda"; /* per-model chains are not part of the TOML form */
    assert_int_equal(ig_defaults_add(d, "mlp", &e, msg, sizeof msg), 0);
    const char *p = tmp("defaults.toml");
    assert_int_equal(ig_defaults_save_toml(d, p, msg, sizeof msg), 0);
    ig_defaults_destroy(d);
    assert_string_equal(read_text(p),
                        "# infergate backend defaults: the fallback chain, best first; the\n"
                        "# reference backend is always last.  Written by infergate.\n"
                        "# From run run-7, created 2024-05-02T08:00:00Z.\n"
                        "[backend]\n"
                        "prefer = [\"onednn\", \"plugin:/opt/my \\\"q\\\"\\\\lib.so\", "
                        "\"openblas\", \"reference\"]\n");
    ig_defaults *r = NULL;
    assert_int_equal(ig_defaults_load(p, &r, msg, sizeof msg), 0);
    assert_int_equal(ig_defaults_chain_len(r, NULL), 4);
    for (int i = 0; i < 3; i++)
        assert_entry(r, NULL, i, specs[i], NULL, -1, -1, NULL, NULL);
    assert_entry(r, NULL, 3, "reference", NULL, -1, -1, NULL, NULL);
    assert_int_equal(ig_defaults_model_count(r), 0);
    ig_defaults_destroy(r);
    /* No global chain: nothing to write. */
    assert_int_equal(ig_defaults_create(&d), 0);
    assert_int_equal(ig_defaults_save_toml(d, tmp("none.toml"), msg, sizeof msg),
                     IG_ENOTFOUND);
    assert_non_null(strstr(msg, "global chain"));
    assert_int_equal(access(tmp("none.toml"), F_OK), -1);
    ig_defaults_destroy(d);
}

static void expect_toml(const char *text, int n, const char *const *want)
{
    const char *p = tmp("shape.toml");
    write_text(p, text);
    ig_defaults *d = NULL;
    char msg[512] = "";
    int rc = ig_defaults_load_toml(p, &d, msg, sizeof msg);
    if (rc)
        fail_msg("%s\nrejected: %s", text, msg);
    assert_int_equal(ig_defaults_chain_len(d, NULL), n);
    for (int i = 0; i < n; i++) {
        ig_chain_entry e;
        assert_int_equal(ig_defaults_chain_entry(d, NULL, i, &e), 0);
        assert_string_equal(e.backend, want[i]);
    }
    ig_defaults_destroy(d);
}

static void test_toml_shapes(void **state)
{
    (void)state;
    static const char *const ab[] = {"onednn", "openblas"};
    expect_toml("[backend]\nprefer = [\"onednn\", \"openblas\"]\n", 2, ab);
    expect_toml("# comment\n\n  [ backend ]  # the table\n"
                "prefer = [  # best first\n  \"onednn\",\n\n  'openblas',  # literal\n]\n",
                2, ab);
    expect_toml("\xEF\xBB\xBF[backend]\r\nprefer = [\"onednn\",\r\n \"openblas\"]\r\n", 2,
                ab);
    expect_toml("backend.prefer = [\"onednn\", \"openblas\"]", 2, ab);
    expect_toml("backend . prefer=[\"onednn\",\"openblas\"]#x", 2, ab);
    static const char *const esc[] = {"plugin:/tmp/\xC3\xA9\t\"x\"", "reference"};
    expect_toml("[backend]\nprefer = [\"plugin:/tmp/\\u00E9\\t\\\"x\\\"\", 'reference']\n",
                2, esc);
    expect_toml("[backend]\nprefer = []\n", 0, NULL);
}

static void expect_toml_error(const char *text, const char *want1, const char *want2)
{
    const char *p = tmp("bad.toml");
    write_text(p, text);
    ig_defaults *d = (ig_defaults *)&d;
    char msg[512] = "";
    int rc = ig_defaults_load(p, &d, msg, sizeof msg);
    if (rc != IG_EPARSE || !strstr(msg, p) || (want1 && !strstr(msg, want1)) ||
        (want2 && !strstr(msg, want2)))
        fail_msg("%s\nrc %d, message: %s", text, rc, msg);
    assert_null(d);
}

static void test_toml_errors(void **state)
{
    (void)state;
    expect_toml_error("[backend]\nprefer = [\"a\"]\n[server]\nport = 1\n", ":3:",
                      "table [server] is not supported");
    expect_toml_error("[backend]\navoid = [\"cuda\"]\n", ":2:", "key 'backend.avoid'");
    expect_toml_error("prefer = [\"onednn\"]\n", ":1:", "key 'prefer'");
    expect_toml_error("[backend]\nprefer = \"onednn\"\n", ":2:", "array");
    expect_toml_error("[backend]\nprefer = [\"onednn\", 3]\n", "prefer[1]",
                      "expected a backend spec string");
    expect_toml_error("[backend]\nprefer = [\"onednn\",\n  \"openblas\"\n", ":2:",
                      "not closed");
    expect_toml_error("[backend]\nprefer = [\"onednn\" \"x\"]\n", ":2:", "expected ','");
    expect_toml_error("[backend]\nprefer = [\"a\"]\nprefer = [\"b\"]\n", ":3:", "twice");
    expect_toml_error("[backend]\n[backend]\n", ":2:", "twice");
    expect_toml_error("[[backend]]\nprefer = [\"a\"]\n", ":1:", "arrays of tables");
    expect_toml_error("[backend]\nprefer = [\"a\"] extra\n", ":2:", "after the prefer");
    expect_toml_error("[backend]\n\"prefer\" = [\"a\"]\n", ":2:", "quoted keys");
    expect_toml_error("[backend]\nprefer = [\"a\n\"]\n", ":2:", "not closed");
    expect_toml_error("[backend]\nprefer = [\"\\q\"]\n", ":2:", "unknown escape");
    expect_toml_error("[backend]\nprefer = [\"\"\"a\"\"\"]\n", ":2:", "multi-line");
    expect_toml_error("[backend]\nprefer = [\"reference\", \"onednn\"]\n", "prefer[1]",
                      "must be last");
    expect_toml_error("[backend]\nprefer = [\"\"]\n", "prefer[0]", "empty");
    expect_toml_error("# nothing here\n", "no backend preference", NULL);
    expect_toml_error("", "no backend preference", NULL);
}

/* ---- probing ------------------------------------------------------------------------- */

/* A built-in backend that is not usable here (cuda without a GPU, oneDNN
 * when not built), or NULL when this machine has them all. */
static const char *unavailable_backend(void)
{
    static const char *const cands[] = {"cuda", "onednn"};
    for (size_t i = 0; i < 2; i++) {
        ig_backend_status st;
        if (ig_backend_probe(cands[i], &st, NULL, 0) == IG_EUNAVAILABLE)
            return cands[i];
    }
    return NULL;
}

static void test_probe(void **state)
{
    (void)state;
    int n = ig_backend_count();
    assert_true(n >= 6);
    int found = 0;
    for (int i = 0; i < n; i++)
        found += strcmp(ig_backend_name(i), "reference") == 0;
    assert_int_equal(found, 1);
    assert_null(ig_backend_name(n));
    assert_null(ig_backend_name(-1));

    ig_backend_status st;
    char msg[512] = "";
    assert_int_equal(ig_backend_probe("reference", &st, msg, sizeof msg), 0);
    assert_int_equal(st.state, IG_BACKEND_AVAILABLE);
    assert_string_equal(st.spec, "reference");
    assert_true(st.version[0] != 0);

    assert_int_equal(ig_backend_probe("nosuch", &st, msg, sizeof msg), IG_ENOTFOUND);
    assert_int_equal(st.state, IG_BACKEND_UNAVAILABLE);
    assert_int_equal(st.error, IG_ENOTFOUND);
    assert_non_null(strstr(msg, "nosuch"));
    assert_non_null(strstr(st.reason, "unknown backend"));

    assert_int_equal(ig_backend_probe("faulty:mode=bogus", &st, msg, sizeof msg),
                     IG_EUSAGE);
    assert_int_equal(st.state, IG_BACKEND_UNAVAILABLE);

    const char *un = unavailable_backend();
    if (un) {
        assert_int_equal(ig_backend_probe(un, &st, msg, sizeof msg), IG_EUNAVAILABLE);
        assert_int_equal(st.state, IG_BACKEND_UNAVAILABLE);
        assert_true(st.reason[0] != 0);
    }
}

static void test_chain_probe(void **state)
{
    (void)state;
    ig_defaults *d = NULL;
    char msg[512] = "";
    assert_int_equal(ig_defaults_create(&d), 0);
    ig_chain_entry e;
    ig_chain_entry_init(&e);
    e.backend = "nosuch";
    assert_int_equal(ig_defaults_add(d, NULL, &e, msg, sizeof msg), 0);
    e.backend = "openblas";
    assert_int_equal(ig_defaults_add(d, NULL, &e, msg, sizeof msg), 0);
    ig_backend_status st[4];
    int n = 0;
    /* A model without its own chain takes the global one, plus the reference. */
    assert_int_equal(ig_chain_probe(d, "any-model", st, 4, &n, msg, sizeof msg), 0);
    assert_int_equal(n, 3);
    assert_string_equal(st[0].spec, "nosuch");
    assert_int_equal(st[0].state, IG_BACKEND_UNAVAILABLE);
    assert_string_equal(st[1].spec, "openblas");
    assert_int_equal(st[1].state, IG_BACKEND_AVAILABLE);
    assert_string_equal(st[2].spec, "reference");
    assert_int_equal(st[2].state, IG_BACKEND_AVAILABLE);
    /* Too small an array says how many are needed. */
    n = 0;
    assert_int_equal(ig_chain_probe(d, NULL, st, 2, &n, msg, sizeof msg), IG_EINVAL);
    assert_int_equal(n, 3);
    /* No defaults at all: just the reference. */
    assert_int_equal(ig_chain_probe(NULL, "x", st, 4, &n, msg, sizeof msg), 0);
    assert_int_equal(n, 1);
    assert_string_equal(st[0].spec, "reference");
    ig_defaults_destroy(d);
}

/* ---- sessions ---------------------------------------------------------------------------- */

static ig_defaults *chain_of(const char *model, const char *const *specs, int n)
{
    ig_defaults *d = NULL;
    char msg[512] = "";
    assert_int_equal(ig_defaults_create(&d), 0);
    for (int i = 0; i < n; i++) {
        ig_chain_entry e;
        ig_chain_entry_init(&e);
        e.backend = specs[i];
        if (ig_defaults_add(d, model, &e, msg, sizeof msg) != 0)
            fail_msg("%s", msg);
    }
    return d;
}

static ig_session *open_session(const ig_defaults *d, const char *model)
{
    ig_session_options o;
    ig_session_options_init(&o);
    o.breaker.clock = fake_clock;
    ig_tensor x = x_tensor();
    ig_session *s = NULL;
    char msg[512] = "";
    if (ig_session_open(d, model, model_path, &x, 1, &o, &s, msg, sizeof msg) != 0)
        fail_msg("open: %s", msg);
    return s;
}

static ig_backend_status status_of(const ig_session *s, int i)
{
    ig_backend_status st;
    assert_int_equal(ig_session_backend_status(s, i, &st), 0);
    return st;
}

#define FAULTY "faulty:base=reference,mode=error"

/* The faulty backend fails every call: each of the first 20 requests falls
 * back to the reference, the 20th opens its breaker, and from then on it
 * is not called at all (its breaker's call count stays at 20) until the
 * cool-down ends; the trial then fails and the cool-down doubles. */
static void test_session_falls_back(void **state)
{
    (void)state;
    static const char *const chain[] = {FAULTY, "reference"};
    ig_defaults *d = chain_of("add", chain, 2);
    ig_session *s = open_session(d, "add");
    ig_defaults_destroy(d); /* the session keeps nothing of it */
    assert_int_equal(ig_session_backend_count(s), 2);
    ig_tensor x = x_tensor(), y;
    char msg[1024];
    for (int i = 0; i < 50; i++) {
        memset(&y, 0, sizeof y);
        assert_int_equal(ig_session_run(s, &x, 1, &y, 1, msg, sizeof msg), 0);
        assert_string_equal(ig_session_last_backend(s), "reference");
        assert_add_output(&y);
        if (i < 20) {
            assert_non_null(strstr(msg, "injected error"));
            assert_int_equal(status_of(s, 0).breaker.calls, (uint64_t)i + 1);
        } else {
            assert_non_null(strstr(msg, "breaker open"));
        }
    }
    ig_backend_status f = status_of(s, 0), r = status_of(s, 1);
    assert_int_equal(f.state, IG_BACKEND_READY);
    assert_int_equal(f.breaker.state, IG_BREAKER_OPEN);
    assert_int_equal(f.breaker.calls, 20);
    assert_int_equal(f.breaker.failures, 20);
    assert_int_equal(f.breaker.rejections, 30);
    assert_int_equal(f.breaker.trips, 1);
    assert_int_equal(f.served, 0);
    assert_int_equal(r.served, 50);
    assert_int_equal(r.breaker.calls, 50);
    assert_int_equal(r.breaker.successes, 50);
    assert_int_equal(r.breaker.state, IG_BREAKER_CLOSED);

    fake_now += 1 * SEC; /* cool-down over: one trial */
    assert_int_equal(ig_session_run(s, &x, 1, &y, 1, msg, sizeof msg), 0);
    assert_string_equal(ig_session_last_backend(s), "reference");
    f = status_of(s, 0);
    assert_int_equal(f.breaker.calls, 21);
    assert_int_equal(f.breaker.trips, 2);
    assert_true(f.breaker.cooldown_ns == 2 * SEC);
    assert_int_equal(f.breaker.state, IG_BREAKER_OPEN);
    ig_session_close(s);
    ig_session_close(NULL);
}

/* A healthy first backend serves; the reference is never compiled. */
static void test_session_prefers_first(void **state)
{
    (void)state;
    static const char *const chain[] = {"faulty:base=reference,mode=none", "reference"};
    ig_defaults *d = chain_of(NULL, chain, 2);
    ig_session *s = open_session(d, NULL);
    ig_defaults_destroy(d);
    ig_tensor x = x_tensor(), y;
    char msg[512];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(ig_session_run(s, &x, 1, &y, 1, msg, sizeof msg), 0);
        assert_string_equal(msg, "");
        assert_string_equal(ig_session_last_backend(s), chain[0]);
        assert_add_output(&y);
    }
    assert_int_equal(status_of(s, 0).served, 3);
    assert_int_equal(status_of(s, 1).state, IG_BACKEND_AVAILABLE); /* lazy */
    assert_int_equal(status_of(s, 1).breaker.calls, 0);
    ig_session_close(s);
}

/* Unusable backends are skipped at open, without a word at run time. */
static void test_session_skips_unavailable(void **state)
{
    (void)state;
    const char *un = unavailable_backend();
    const char *chain[] = {un ? un : "nosuch", "nosuch:x=1", "reference"};
    ig_defaults *d = chain_of("add", chain, 3);
    ig_session *s = open_session(d, "add");
    ig_defaults_destroy(d);
    assert_int_equal(ig_session_backend_count(s), 3);
    ig_backend_status st = status_of(s, 0);
    assert_int_equal(st.state, IG_BACKEND_UNAVAILABLE);
    assert_true(st.reason[0] != 0);
    assert_int_equal(status_of(s, 1).state, IG_BACKEND_UNAVAILABLE);
    assert_int_equal(status_of(s, 1).error, IG_ENOTFOUND);
    ig_tensor x = x_tensor(), y;
    char msg[512];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(ig_session_run(s, &x, 1, &y, 1, msg, sizeof msg), 0);
        assert_string_equal(msg, "");
        assert_string_equal(ig_session_last_backend(s), "reference");
        assert_add_output(&y);
    }
    assert_int_equal(status_of(s, 0).breaker.calls, 0);
    assert_int_equal(status_of(s, 2).served, 3);
    ig_session_close(s);
}

/* Which chain a session takes: the model's, else the global, else the
 * reference alone. */
static void test_session_chain_choice(void **state)
{
    (void)state;
    static const char *const g[] = {"openblas"};
    ig_defaults *d = chain_of(NULL, g, 1);
    ig_session *s = open_session(d, "not-in-defaults");
    assert_int_equal(ig_session_backend_count(s), 2);
    assert_string_equal(status_of(s, 0).spec, "openblas");
    assert_string_equal(status_of(s, 1).spec, "reference");
    ig_session_close(s);
    ig_defaults_destroy(d);
    s = open_session(NULL, "add");
    assert_int_equal(ig_session_backend_count(s), 1);
    assert_string_equal(status_of(s, 0).spec, "reference");
    ig_session_close(s);
}

/* A caller's mistake is an error, and no backend is called or blamed. */
static void test_session_input_errors(void **state)
{
    (void)state;
    ig_session *s = open_session(NULL, NULL);
    assert_null(ig_session_last_backend(s));
    assert_int_equal(ig_session_input_count(s), 1);
    assert_int_equal(ig_session_output_count(s), 1);
    assert_string_equal(ig_session_output_name(s, 0), "y");
    assert_null(ig_session_output_name(s, 1));
    ig_tensor shape;
    const char *name = NULL;
    assert_int_equal(ig_session_input(s, 0, &shape, &name), 0);
    assert_string_equal(name, "x");
    assert_int_equal(shape.rank, 2);
    assert_true(shape.dims[0] == 2 && shape.dims[1] == 3);
    assert_null(shape.data);
    assert_int_equal(ig_session_input(s, 1, &shape, &name), IG_EINVAL);

    ig_tensor x = x_tensor(), y;
    char msg[512];
    x.dims[1] = 4;
    assert_int_equal(ig_session_run(s, &x, 1, &y, 1, msg, sizeof msg), IG_ESHAPE);
    assert_non_null(strstr(msg, "'x'"));
    assert_non_null(strstr(msg, "2x3"));
    x = x_tensor();
    x.dtype = IG_DT_DOUBLE;
    assert_int_equal(ig_session_run(s, &x, 1, &y, 1, msg, sizeof msg), IG_ESHAPE);
    x = x_tensor();
    x.data = NULL;
    assert_int_equal(ig_session_run(s, &x, 1, &y, 1, msg, sizeof msg), IG_EINVAL);
    x = x_tensor();
    assert_int_equal(ig_session_run(s, &x, 0, &y, 1, msg, sizeof msg), IG_EINVAL);
    assert_int_equal(ig_session_run(s, &x, 1, &y, 2, msg, sizeof msg), IG_EINVAL);
    assert_int_equal(ig_session_run(s, &x, 1, NULL, 1, msg, sizeof msg), IG_EINVAL);
    assert_null(ig_session_last_backend(s));
    ig_backend_status st = status_of(s, 0);
    assert_int_equal(st.breaker.calls, 0);
    assert_int_equal(st.state, IG_BACKEND_AVAILABLE);
    /* Then a good request works. */
    assert_int_equal(ig_session_run(s, &x, 1, &y, 1, msg, sizeof msg), 0);
    assert_add_output(&y);
    ig_session_close(s);
}

static void test_session_open_errors(void **state)
{
    (void)state;
    ig_session *s = (ig_session *)&s;
    char msg[512] = "";
    /* Shapes from the model (declared static) when none are given. */
    assert_int_equal(ig_session_open(NULL, NULL, model_path, NULL, 0, NULL, &s, msg,
                                     sizeof msg), 0);
    ig_tensor shape;
    assert_int_equal(ig_session_input(s, 0, &shape, NULL), 0);
    assert_true(shape.dims[0] == 2 && shape.dims[1] == 3);
    ig_session_close(s);
    /* A shape that contradicts the model. */
    ig_tensor x = x_tensor();
    x.dims[0] = 5;
    assert_int_equal(ig_session_open(NULL, NULL, model_path, &x, 1, NULL, &s, msg,
                                     sizeof msg), IG_ESHAPE);
    assert_null(s);
    assert_non_null(strstr(msg, "declared"));
    x = x_tensor();
    assert_int_equal(ig_session_open(NULL, NULL, model_path, &x, 2, NULL, &s, msg,
                                     sizeof msg), IG_EINVAL);
    /* A missing model names the file. */
    assert_int_equal(ig_session_open(NULL, NULL, tmp("missing.onnx"), NULL, 0, NULL, &s,
                                     msg, sizeof msg), IG_EIO);
    assert_non_null(strstr(msg, "missing.onnx"));
    /* A bad breaker configuration names the field. */
    ig_session_options o;
    ig_session_options_init(&o);
    o.breaker.min_calls = 0;
    assert_int_equal(ig_session_open(NULL, NULL, model_path, NULL, 0, &o, &s, msg,
                                     sizeof msg), IG_EINVAL);
    assert_non_null(strstr(msg, "min_calls"));
    /* Nothing usable: the reference with an option it does not take. */
    static const char *const chain[] = {"nosuch", "reference:bogus=1"};
    ig_defaults *d = chain_of(NULL, chain, 2);
    assert_int_equal(ig_session_open(d, NULL, model_path, NULL, 0, NULL, &s, msg,
                                     sizeof msg), IG_EUNAVAILABLE);
    assert_null(s);
    assert_non_null(strstr(msg, "nosuch"));
    assert_non_null(strstr(msg, "bogus"));
    ig_defaults_destroy(d);
}

/* ig_tensor_read_pb reads what the lab writes. */
static void test_tensor_read_pb(void **state)
{
    (void)state;
    ig_tensor x = x_tensor(), t;
    char msg[512] = "";
    const char *p = tmp("x.pb");
    assert_int_equal(ig__tensor_write_pb(p, &x, "x", msg, sizeof msg), 0);
    memset(&t, 0, sizeof t);
    assert_int_equal(ig_tensor_read_pb(p, &t, msg, sizeof msg), 0);
    assert_int_equal(t.dtype, IG_DT_FLOAT);
    assert_int_equal(t.numel, 6);
    assert_memory_equal(t.data, xadd, sizeof xadd);
    assert_true(t.cap > 0);
    ig_tensor_release(&t);
    assert_int_equal(ig_tensor_read_pb(tmp("nope.pb"), &t, msg, sizeof msg), IG_EIO);
    assert_non_null(strstr(msg, "nope.pb"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_rules),
        cmocka_unit_test(test_json_round_trip),
        cmocka_unit_test(test_json_short_form),
        cmocka_unit_test(test_json_validated),
        cmocka_unit_test(test_json_variant),
        cmocka_unit_test(test_json_errors),
        cmocka_unit_test(test_toml_round_trip),
        cmocka_unit_test(test_toml_shapes),
        cmocka_unit_test(test_toml_errors),
        cmocka_unit_test(test_probe),
        cmocka_unit_test(test_chain_probe),
        cmocka_unit_test(test_session_falls_back),
        cmocka_unit_test(test_session_prefers_first),
        cmocka_unit_test(test_session_skips_unavailable),
        cmocka_unit_test(test_session_chain_choice),
        cmocka_unit_test(test_session_input_errors),
        cmocka_unit_test(test_session_open_errors),
        cmocka_unit_test(test_tensor_read_pb),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
