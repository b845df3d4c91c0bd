/* test_size.c — checked sizes and limits (backends/graph/size.c), the
 * confined opener of external data (confine.c) and the wire-format pass
 * that bounds nesting before protobuf-c unpacks (wire.c). */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "graph/confine.h"
#include "graph/onnx_io.h"
#include "graph/size.h"

static void test_numel(void **st)
{
    (void)st;
    int64_t n = -1;
    int64_t d1[] = {2, 3, 4};
    assert_int_equal(ig__numel(3, d1, &n), 0);
    assert_int_equal(n, 24);
    assert_int_equal(ig__numel(0, NULL, &n), 0);
    assert_int_equal(n, 1);
    int64_t neg[] = {2, -1};
    assert_int_equal(ig__numel(2, neg, &n), IG_ESHAPE);
    /* [2^32, 2^32] is 2^64: overflow, not a wrapped 0. */
    int64_t wrap[] = {(int64_t)1 << 32, (int64_t)1 << 32};
    n = 7;
    assert_int_equal(ig__numel(2, wrap, &n), IG_ESHAPE);
    assert_int_equal(n, 7);
    /* A zero anywhere is an empty tensor, whatever the other dims. */
    int64_t z[] = {INT64_MAX, 0, INT64_MAX};
    assert_int_equal(ig__numel(3, z, &n), 0);
    assert_int_equal(n, 0);
}

static void test_nbytes_and_limit(void **st)
{
    (void)st;
    ig__limits saved = *ig__limits_get(), l = saved;
    l.max_tensor_bytes = 1024;
    ig__limits_set(&l);
    uint64_t b = 0;
    assert_int_equal(ig__nbytes(256, 4, &b), 0);
    assert_int_equal(b, 1024);
    assert_int_equal(ig__nbytes(257, 4, &b), IG_ELIMIT);
    assert_int_equal(b, 1028);
    /* 2^62 floats: 2^64 bytes, which wrapped to 0 in the old code. */
    assert_int_equal(ig__nbytes((int64_t)1 << 62, 4, &b), IG_ESHAPE);
    /* The tensor calls hold to the same rules. */
    ig_tensor t = {0};
    int64_t d[] = {(int64_t)1 << 62};
    assert_int_equal(ig_tensor_set_shape(&t, IG_DT_FLOAT, 1, d), 0);
    assert_int_equal(ig_tensor_alloc(&t), IG_ESHAPE);
    int64_t d2[] = {300};
    assert_int_equal(ig_tensor_set_shape(&t, IG_DT_FLOAT, 1, d2), 0);
    assert_int_equal(ig_tensor_alloc(&t), IG_ELIMIT);
    int64_t d3[] = {(int64_t)1 << 32, (int64_t)1 << 32};
    assert_int_equal(ig_tensor_set_shape(&t, IG_DT_FLOAT, 2, d3), IG_ESHAPE);
    ig__limits_set(&saved);
}

static void test_limits_parse(void **st)
{
    (void)st;
    ig__limits l = {1, 2, 3, 4};
    char msg[256];
    assert_int_equal(ig__limits_parse("tensor-bytes=8G,graph-depth=32", &l, msg, sizeof msg), 0);
    assert_int_equal(l.max_tensor_bytes, (uint64_t)8 << 30);
    assert_int_equal(l.max_graph_depth, 32);
    assert_int_equal(l.max_nodes, 3);
    assert_int_equal(ig__limits_parse("nodes=5", &l, msg, sizeof msg), 0);
    assert_int_equal(l.max_nodes, 5);
    assert_int_equal(ig__limits_parse("loop-iterations=1M", &l, msg, sizeof msg), 0);
    assert_int_equal(l.max_loop_iterations, 1 << 20);
    const char *bad[] = {"", "nodes", "nodes=", "nodes=0", "nodes=-1", "bogus=1",
                         "graph-depth=257", "tensor-bytes=1Q", "nodes=1,nodes=2",
                         "tensor-bytes=99999999999T"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ig__limits before = l;
        assert_int_equal(ig__limits_parse(bad[i], &l, msg, sizeof msg), IG_EUSAGE);
        assert_memory_equal(&before, &l, sizeof l);
        assert_non_null(strstr(msg, "--limits"));
    }
}

/* A temporary folder with a regular file, links and a FIFO in it. */
static char dir[64];

static int setup_dir(void **st)
{
    (void)st;
    snprintf(dir, sizeof dir, "/tmp/igconfine.XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    char p[256];
    snprintf(p, sizeof p, "%s/w.bin", dir);
    FILE *f = fopen(p, "wb");
    if (!f)
        return -1;
    fputs("abcd", f);
    fclose(f);
    snprintf(p, sizeof p, "%s/sub", dir);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/sub/x.bin", dir);
    f = fopen(p, "wb");
    if (!f)
        return -1;
    fputs("x", f);
    fclose(f);
    char t[256];
    snprintf(p, sizeof p, "%s/link.bin", dir);
    if (symlink("w.bin", p))
        return -1;
    snprintf(p, sizeof p, "%s/up", dir);
    if (symlink("/etc", p))
        return -1;
    snprintf(p, sizeof p, "%s/sublink", dir);
    snprintf(t, sizeof t, "%s/sub", dir);
    if (symlink(t, p))
        return -1;
    snprintf(p, sizeof p, "%s/fifo.bin", dir);
    return mkfifo(p, 0600);
}

static int teardown_dir(void **st)
{
    (void)st;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

typedef int (*opener)(const char *, const char *, const char **);

static void confine_with(opener open_fn)
{
    const char *why = NULL;
    int fd = open_fn(dir, "w.bin", &why);
    assert_true(fd >= 0);
    close(fd);
    fd = open_fn(dir, "sub/x.bin", &why);
    assert_true(fd >= 0);
    close(fd);
    /* Links are refused even when they stay inside the folder. */
    const char *refused[] = {"link.bin", "up/passwd", "sublink/x.bin", "fifo.bin",
                             "/etc/passwd", "../w.bin", "sub/../w.bin", "sub", "nope.bin"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        why = NULL;
        fd = open_fn(dir, refused[i], &why);
        if (fd >= 0)
            fail_msg("'%s' was opened", refused[i]);
        assert_non_null(why);
    }
    open_fn(dir, "link.bin", &why);
    assert_string_equal(why, "a symbolic link");
    open_fn(dir, "fifo.bin", &why);
    assert_string_equal(why, "not a regular file");
}

static void test_confine(void **st)
{
    (void)st;
    confine_with(ig__open_beneath);
}

static void test_confine_walk(void **st)
{
    (void)st;
    confine_with(ig__open_beneath_walk);
}

/* Minimal protobuf writer for the nesting test. */
static size_t put_varint(uint8_t *b, uint64_t v)
{
    size_t n = 0;
    do {
        b[n] = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v)
            b[n] |= 0x80;
        n++;
    } while (v);
    return n;
}

/* Wraps msg (len bytes at b) as field num of a new message, in place. */
static size_t wrap(uint8_t *b, size_t len, unsigned num)
{
    uint8_t h[16];
    size_t hn = put_varint(h, (uint64_t)num << 3 | 2);
    hn += put_varint(h + hn, len);
    memmove(b + hn, b, len);
    memcpy(b, h, hn);
    return len + hn;
}

/* A model whose graph nests `depth` If subgraphs (Graph > Node >
 * Attribute > Graph ...), nothing else set: the wire pass measures it
 * before protobuf-c would unpack it. */
static size_t nested_model(uint8_t *b, int depth)
{
    size_t len = 0;
    for (int i = 0; i < depth; i++) {
        len = wrap(b, len, 6); /* AttributeProto.g = the graph so far */
        len = wrap(b, len, 5); /* NodeProto.attribute */
        len = wrap(b, len, 1); /* GraphProto.node */
    }
    len = wrap(b, len, 7); /* ModelProto.graph */
    return len;
}

static void test_wire_depth(void **st)
{
    (void)st;
    static uint8_t b[1 << 20];
    char msg[512];
    size_t len = nested_model(b, 10);
    assert_int_equal(ig__model_wire_check(b, len, "m.onnx", msg, sizeof msg), 0);
    len = nested_model(b, 3000);
    assert_int_equal(ig__model_wire_check(b, len, "m.onnx", msg, sizeof msg), IG_ELIMIT);
    assert_non_null(strstr(msg, "m.onnx: subgraphs"));
    assert_non_null(strstr(msg, "max-graph-depth (16"));
    /* The whole loader refuses it the same way, without a stack overflow. */
    ig__graph *g = NULL;
    assert_int_equal(ig__model_load_mem(b, len, "m.onnx", &g, msg, sizeof msg), IG_ELIMIT);
    assert_null(g);
    /* Raised, the same depth passes the wire check. */
    ig__limits saved = *ig__limits_get(), l = saved;
    l.max_graph_depth = 1024;
    ig__limits_set(&l);
    len = nested_model(b, 1000);
    assert_int_equal(ig__model_wire_check(b, len, "m.onnx", msg, sizeof msg), 0);
    ig__limits_set(&saved);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numel),
        cmocka_unit_test(test_nbytes_and_limit),
        cmocka_unit_test(test_limits_parse),
        cmocka_unit_test_setup_teardown(test_confine, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_confine_walk, setup_dir, teardown_dir),
        cmocka_unit_test(test_wire_depth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
