/* registry.c — maps an ONNX (domain, op_type) to its reference
 * implementation.
 *
 * Kernels live in op-family folders (math, nn, tensor, reduction,
 * quantization, rnn, controlflow, signal, object_detection, generator,
 * contrib), each exporting NULL-terminated tables; the registry is a
 * linear scan, which is fine because lookups happen once per node at load
 * time, never per predict.
 *
 * The design decision: an op is found by its domain and its name
 * together, and the domain belongs to the table, not to the op.  ONNX
 * Runtime's com.microsoft set reuses names of the default domain with
 * other semantics (RotaryEmbedding), so a node finds only the kernels of
 * its own domain; "" and "ai.onnx" both name the default one. */
#include <string.h>

#include "../graph/ir.h"

static const struct {
    const char *domain; /* "" for the default ONNX domain */
    const ig__op *const *ops;
} tables[] = {
    {"", ig__ops_math},          {"", ig__ops_nn},
    {"", ig__ops_tensor},        {"", ig__ops_reduction},
    {"", ig__ops_quantization},  {"", ig__ops_rnn},
    {"", ig__ops_controlflow},   {"", ig__ops_signal},
    {"", ig__ops_object_detection}, {"", ig__ops_generator},
    {"", ig__ops_contrib_default}, {IG_DOMAIN_MS, ig__ops_contrib}};

#define NTABLES (sizeof tables / sizeof tables[0])

int ig__domain_is_default(const char *domain)
{
    return !domain || !domain[0] || strcmp(domain, "ai.onnx") == 0;
}

static int same_domain(const char *table, const char *domain)
{
    if (ig__domain_is_default(domain))
        return table[0] == 0;
    return strcmp(table, domain) == 0;
}

const ig__op *ig__op_at(int i)
{
    for (size_t g = 0; g < NTABLES; g++)
        for (const ig__op *const *p = tables[g].ops; *p; p++)
            if (i-- == 0)
                return *p;
    return NULL;
}

const char *ig__op_domain(const ig__op *op)
{
    for (size_t g = 0; g < NTABLES; g++)
        for (const ig__op *const *p = tables[g].ops; *p; p++)
            if (*p == op)
                return tables[g].domain;
    return NULL;
}

const ig__op *ig__op_find_in(const char *domain, const char *op_type)
{
    for (size_t g = 0; g < NTABLES; g++) {
        if (!same_domain(tables[g].domain, domain))
            continue;
        for (const ig__op *const *p = tables[g].ops; *p; p++)
            if (strcmp((*p)->op_type, op_type) == 0)
                return *p;
    }
    return NULL;
}

const ig__op *ig__op_find(const char *op_type)
{
    return ig__op_find_in("", op_type);
}
