/* compress.h — `infergate compress`: rewrites an fp32 ONNX model into a
 * compressed variant (fp16, bf16, int8 static/dynamic, int4 weight-only,
 * palettized), for the lab to measure against its original.
 *
 * The engine takes an options struct and returns an exit code from
 * harness/exit.h, as every engine of the lab does; errors are one line
 * through ig__errorf, naming the file and the problem.  The graph forms
 * each scheme produces are documented in docs/compress.md. */
#ifndef IG_COMPRESS_COMPRESS_H
#define IG_COMPRESS_COMPRESS_H

#include <stdint.h>

enum ig__compress_scheme {
    IG_CS_FP16 = 1,
    IG_CS_BF16,
    IG_CS_INT8_STATIC,
    IG_CS_INT8_DYNAMIC,
    IG_CS_INT4_WEIGHT,
    IG_CS_PALETTE
};

enum ig__calib_method { IG_CALIB_MINMAX = 0, IG_CALIB_PERCENTILE = 1 };

typedef struct ig__compress_opts {
    const char *model;       /* borrowed: the fp32 model */
    const char *out;         /* borrowed: where the variant goes (atomic) */
    const char *scheme;      /* borrowed: "fp16", "int8-static", "palette:4" */
    const char *calib;       /* borrowed: calibration folder, or NULL */
    const char *calib_method;/* borrowed: "minmax", "percentile[:P]", or NULL */
    const char *form;        /* borrowed: int4-weight: "dq" (default) or "matmulnbits" */
    int per_channel;         /* palette: cluster per group of output channels */
    int group;               /* palette --per-channel: channels per group (default 1) */
    int block;               /* int4-weight: block size along K (default 32) */
    int keep_io;             /* fp16/bf16: inputs and outputs in the lower type */
    int keep_bn;             /* fp16/bf16: BatchNormalization left unfolded */
    uint64_t seed;           /* palette: k-means++ seed */
    int quiet;               /* no summary line (the fixture generator prints its own) */
    int prepass_only;        /* write the fp32 graph after the scheme's pre-passes
                                (int8-static: BatchNormalization folded), unquantised */
} ig__compress_opts;

/* What a run did, for callers that print or check it (may be NULL). */
typedef struct ig__compress_result {
    int nodes_rewritten;
    int bn_folded;           /* BatchNormalizations folded into their Conv */
    uint64_t bytes_before, bytes_after;
    int opset_before, opset_after;
} ig__compress_result;

/* Parses a scheme name: returns the scheme and *bits (palette:N), or 0
 * when the name is not one. */
int ig__compress_scheme_parse(const char *s, int *bits);

/* Runs the compression; returns IG_EXIT_OK, IG_EXIT_USAGE (bad input,
 * one error line printed) or IG_EXIT_INTERNAL. */
int ig__compress(const ig__compress_opts *o, ig__compress_result *res);

#endif
