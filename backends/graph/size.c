/* size.c — checked sizes and the resource limits (see size.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "infergate/error.h"
#include "size.h"

static ig__limits limits = {IG__DEFAULT_MAX_TENSOR_BYTES, IG__DEFAULT_MAX_GRAPH_DEPTH,
                            IG__DEFAULT_MAX_NODES, IG__DEFAULT_MAX_LOOP_ITERATIONS};

const ig__limits *ig__limits_get(void)
{
    return &limits;
}

void ig__limits_set(const ig__limits *l)
{
    limits = *l;
}

/* A positive integer with an optional K/M/G/T suffix, at most max. */
static int parse_size(const char *s, uint64_t max, uint64_t *out)
{
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return -1;
    int shift = 0;
    switch (*end) {
    case 'K': case 'k': shift = 10; end++; break;
    case 'M': case 'm': shift = 20; end++; break;
    case 'G': case 'g': shift = 30; end++; break;
    case 'T': case 't': shift = 40; end++; break;
    default: break;
    }
    if (*end || v == 0 || v > (max >> shift))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

int ig__limits_parse(const char *spec, ig__limits *l, char *msg, size_t msglen)
{
    ig__limits nl = *l;
    char buf[256];
    if (strlen(spec) >= sizeof buf || !spec[0])
        goto bad;
    snprintf(buf, sizeof buf, "%s", spec);
    unsigned seen = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(t, '=');
        if (!eq)
            goto bad;
        *eq = 0;
        uint64_t v;
        unsigned bit;
        if (!strcmp(t, "tensor-bytes")) {
            bit = 1;
            if (parse_size(eq + 1, INT64_MAX, &v))
                goto bad;
            nl.max_tensor_bytes = v;
        } else if (!strcmp(t, "graph-depth")) {
            bit = 2;
            /* Each level costs stack in protobuf-c's unpack, the loader
             * and the planner (a few KB together); 256 levels stay far
             * inside a thread's 8 MB. */
            if (parse_size(eq + 1, 256, &v))
                goto bad;
            nl.max_graph_depth = (int)v;
        } else if (!strcmp(t, "nodes")) {
            bit = 4;
            if (parse_size(eq + 1, (uint64_t)1 << 40, &v))
                goto bad;
            nl.max_nodes = (int64_t)v;
        } else if (!strcmp(t, "loop-iterations")) {
            bit = 8;
            if (parse_size(eq + 1, (uint64_t)1 << 50, &v))
                goto bad;
            nl.max_loop_iterations = (int64_t)v;
        } else {
            goto bad;
        }
        if (seen & bit)
            goto bad;
        seen |= bit;
    }
    *l = nl;
    return 0;
bad:
    if (msg && msglen)
        snprintf(msg, msglen,
                 "--limits '%s': expected tensor-bytes=N[K|M|G|T], graph-depth=N "
                 "(1 to 256), nodes=N or loop-iterations=N, each at most once, "
                 "comma-separated",
                 spec);
    return IG_EUSAGE;
}

int ig__numel(int rank, const int64_t *dims, int64_t *numel)
{
    int64_t n = 1;
    for (int i = 0; i < rank; i++) {
        if (dims[i] < 0 || __builtin_mul_overflow(n, dims[i], &n))
            return IG_ESHAPE;
    }
    *numel = n;
    return 0;
}

int ig__nbytes(int64_t numel, size_t es, uint64_t *bytes)
{
    uint64_t b;
    if (numel < 0 || __builtin_mul_overflow((uint64_t)numel, (uint64_t)es, &b))
        return IG_ESHAPE;
    *bytes = b;
    return b > limits.max_tensor_bytes ? IG_ELIMIT : 0;
}

const char *ig__nbytes_why(int rc, uint64_t bytes, char *buf, size_t len)
{
    if (rc == IG_ELIMIT)
        snprintf(buf, len, "%llu bytes exceed max-tensor-bytes (%llu; raise with --limits tensor-bytes=N)",
                 (unsigned long long)bytes,
                 (unsigned long long)limits.max_tensor_bytes);
    else
        snprintf(buf, len, "its size in bytes overflows");
    return buf;
}
