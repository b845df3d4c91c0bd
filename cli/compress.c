/* compress.c — `infergate compress`: writes a compressed variant of an
 * fp32 model (the engine is compress/compress.c; forms in docs/compress.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"
#include "cli.h"
#include "../compress/compress.h"

static void help(FILE *f)
{
    fprintf(f,
            "usage: infergate compress MODEL.onnx --to SCHEME -o OUT.onnx [options]\n"
            "Writes a compressed variant of an fp32 model and prints one summary line.\n"
            "schemes:\n"
            "  fp16, bf16      weights and compute in the lower type; inputs and outputs\n"
            "                  stay fp32 behind Casts (--keep-io: in the lower type)\n"
            "  int8-static     QDQ form: int8 weights symmetric per output channel,\n"
            "                  uint8 activations per tensor from calibration\n"
            "  int8-dynamic    DynamicQuantizeLinear + MatMulInteger / ConvInteger\n"
            "  int4-weight     int4 weights in blocks along K (DequantizeLinear with\n"
            "                  block_size, opset 21; --form matmulnbits: com.microsoft)\n"
            "  palette:N       N = 2, 4, 6, 8: k-means into 2^N values per weight tensor,\n"
            "                  N-bit indices packed in int64 words + LUT, expanded\n"
            "                  by Div/Mod and Gather\n"
            "options:\n"
            "  --calib DIR             calibration inputs (DIR/test_data_set_N/input_K.pb\n"
            "                          or DIR/input_K.pb); default: the model's test data\n"
            "  --calib-method M        minmax (default) or percentile[:P] (P default 99.99)\n"
            "  --per-channel           palette: one palette per group of output channels\n"
            "  --group G               palette --per-channel: channels per group (1)\n"
            "  --block N               int4-weight: block size, a power of two 16..4096 (32)\n"
            "  --form dq|matmulnbits   int4-weight: graph form (dq)\n"
            "  --keep-io               fp16/bf16: inputs and outputs in the lower type\n"
            "  --keep-bn               fp16/bf16: leave BatchNormalization unfolded (by\n"
            "                          default it is folded into its Conv first, as for\n"
            "                          int8-static: faster, and its cost is in fidelity)\n"
            "  --seed N                palette: k-means++ seed\n");
}

static int parse_int(const char *what, const char *s, long lo, long hi, long *v)
{
    char *end;
    long x = strtol(s, &end, 10);
    if (!*s || *end || x < lo || x > hi) {
        ig__errorf("compress: %s '%s': expected an integer from %ld to %ld", what, s, lo, hi);
        return -1;
    }
    *v = x;
    return 0;
}

int ig__cmd_compress(int argc, char **argv)
{
    ig__compress_opts o;
    memset(&o, 0, sizeof o);
    static const struct option lo[] = {{"to", required_argument, 0, 't'},
                                       {"output", required_argument, 0, 'o'},
                                       {"calib", required_argument, 0, 'c'},
                                       {"calib-method", required_argument, 0, 'M'},
                                       {"per-channel", no_argument, 0, 'P'},
                                       {"group", required_argument, 0, 'G'},
                                       {"block", required_argument, 0, 'B'},
                                       {"form", required_argument, 0, 'F'},
                                       {"keep-io", no_argument, 0, 'K'},
                                       {"keep-bn", no_argument, 0, 'N'},
                                       {"seed", required_argument, 0, 'S'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    int c;
    long v;
    optind = 1;
    while ((c = ig__getopt(argc, argv, "t:o:h", lo, "compress")) != -1) {
        switch (c) {
        case 't': o.scheme = optarg; break;
        case 'o': o.out = optarg; break;
        case 'c': o.calib = optarg; break;
        case 'M': o.calib_method = optarg; break;
        case 'P': o.per_channel = 1; break;
        case 'K': o.keep_io = 1; break;
        case 'N': o.keep_bn = 1; break;
        case 'F': o.form = optarg; break;
        case 'G':
            if (parse_int("--group", optarg, 1, 65536, &v))
                return IG_EXIT_USAGE;
            o.group = (int)v;
            break;
        case 'B':
            if (parse_int("--block", optarg, 16, 4096, &v))
                return IG_EXIT_USAGE;
            o.block = (int)v;
            break;
        case 'S':
            if (parse_int("--seed", optarg, 0, 0x7fffffffL, &v))
                return IG_EXIT_USAGE;
            o.seed = (uint64_t)v;
            break;
        case 'h': help(stdout); return IG_EXIT_OK;
        default: return IG_EXIT_USAGE; /* ig__getopt said why */
        }
    }
    if (optind < argc)
        o.model = argv[optind++];
    if (optind < argc) {
        ig__errorf("compress: unexpected argument '%s'", argv[optind]);
        return IG_EXIT_USAGE;
    }
    if (!o.model || !o.scheme || !o.out) {
        ig__errorf("compress: MODEL, --to SCHEME and -o OUT are required (try infergate "
                   "compress --help)");
        return IG_EXIT_USAGE;
    }
    if (!o.out[0]) {
        ig__errorf("compress: -o needs a file name, not an empty string");
        return IG_EXIT_USAGE;
    }
    return ig__compress(&o, NULL);
}
