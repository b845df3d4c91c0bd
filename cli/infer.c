/* infer.c — `infergate infer`: one inference, outputs to .pb files.
 * Inputs are bound by name (-i NAME=FILE.pb), so argument order does not
 * matter; every graph input must be given exactly once. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "opts.h"
#include "cli.h"
#include "../harness/session.h"

static void help(FILE *f)
{
    fprintf(f, "usage: infergate infer -b BACKEND[:opts] -m MODEL.onnx -i NAME=FILE.pb ... -o DIR\n"
               "Runs one inference and writes each output as DIR/<output name>.pb\n"
               "(a serialized ONNX TensorProto).\n");
}

int ig__cmd_infer(int argc, char **argv)
{
    const char *spec = "reference", *model = NULL, *outdir = NULL;
    char *ins[64];
    int nins = 0;
    static const struct option lo[] = {{"backend", required_argument, 0, 'b'},
                                       {"model", required_argument, 0, 'm'},
                                       {"input", required_argument, 0, 'i'},
                                       {"output", required_argument, 0, 'o'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = ig__getopt(argc, argv, "b:m:i:o:h", lo, "infer")) != -1) {
        switch (c) {
        case 'b': spec = optarg; break;
        case 'm': model = optarg; break;
        case 'i':
            if (nins == 64) {
                ig__errorf("infer: too many -i options");
                return IG_EXIT_USAGE;
            }
            ins[nins++] = optarg;
            break;
        case 'o': outdir = optarg; break;
        case 'h': help(stdout); return IG_EXIT_OK;
        default: return IG_EXIT_USAGE; /* ig__getopt said why */
        }
    }
    if (model && outdir && !outdir[0]) {
        /* "" would make every output path "/NAME.pb", in the root. */
        ig__errorf("infer: -o needs a folder name, not an empty string");
        return IG_EXIT_USAGE;
    }
    if (!model || !outdir || optind < argc) {
        if (optind < argc)
            ig__errorf("infer: unexpected argument '%s'", argv[optind]);
        else
            ig__errorf("infer: -m MODEL and -o DIR are required (try infergate infer --help)");
        return IG_EXIT_USAGE;
    }
    char msg[2048] = "";
    ig__be *be;
    int rc = ig__backend_open(spec, &be, msg, sizeof msg);
    if (rc) {
        ig__errorf("%s", msg);
        return ig__exit_for(rc);
    }
    ig__session s;
    ig_tensor *inputs = NULL;
    unsigned char *given = NULL;
    int exitc = IG_EXIT_OK;
    rc = ig__session_read(&s, be, model, msg, sizeof msg);
    if (rc)
        goto fail;
    inputs = calloc((size_t)s.sig.ninputs + 1, sizeof *inputs);
    given = calloc((size_t)s.sig.ninputs + 1, 1);
    if (!inputs || !given) {
        rc = IG_ENOMEM;
        goto fail;
    }
    for (int k = 0; k < nins; k++) {
        char *eq = strchr(ins[k], '=');
        if (!eq) {
            snprintf(msg, sizeof msg, "-i %s: expected NAME=FILE.pb", ins[k]);
            rc = IG_EUSAGE;
            goto fail;
        }
        *eq = 0;
        int slot = -1;
        for (int i = 0; i < s.sig.ninputs; i++)
            if (!strcmp(s.sig.inputs[i].name, ins[k]))
                slot = i;
        if (slot < 0) {
            snprintf(msg, sizeof msg, "%s: model has no input named '%s'", model, ins[k]);
            rc = IG_ENOTFOUND;
            goto fail;
        }
        if (given[slot]) {
            snprintf(msg, sizeof msg, "input '%s' given twice", ins[k]);
            rc = IG_EUSAGE;
            goto fail;
        }
        given[slot] = 1;
        rc = ig__tensor_read_pb(eq + 1, &inputs[slot], NULL, 0, msg, sizeof msg);
        if (rc)
            goto fail;
    }
    for (int i = 0; i < s.sig.ninputs; i++)
        if (!given[i]) {
            snprintf(msg, sizeof msg, "%s: input '%s' not given (use -i %s=FILE.pb)",
                     model, s.sig.inputs[i].name, s.sig.inputs[i].name);
            rc = IG_EUSAGE;
            goto fail;
        }
    rc = ig__session_prepare(&s, model, inputs, s.sig.ninputs, msg, sizeof msg);
    if (rc == 0)
        rc = ig__session_predict(&s, inputs, s.sig.ninputs, msg, sizeof msg);
    if (rc) {
        /* Errors from the adapter name the node; prefix the model unless
         * the loader already did. */
        size_t ml = strlen(model);
        if (strncmp(msg, model, ml) != 0 || strncmp(msg + ml, ": ", 2) != 0) {
            char m2[2200];
            snprintf(m2, sizeof m2, "%s: %s", model, msg);
            snprintf(msg, sizeof msg, "%s", m2);
        }
        goto fail;
    }
    mkdir(outdir, 0777);
    for (int i = 0; i < s.sig.noutputs; i++) {
        char path[4096], safe[256];
        snprintf(safe, sizeof safe, "%s", s.sig.outputs[i].name);
        for (char *p = safe; *p; p++)
            if (*p == '/' || *p == '\\')
                *p = '_';
        snprintf(path, sizeof path, "%s/%s.pb", outdir, safe);
        rc = ig__tensor_write_pb(path, &s.outputs[i], s.sig.outputs[i].name, msg, sizeof msg);
        if (rc)
            goto fail;
        char shp[128];
        printf("%s: %s %s -> %s\n", s.sig.outputs[i].name,
               ig_dtype_name(s.outputs[i].dtype),
               ig_tensor_shape_str(&s.outputs[i], shp, sizeof shp), path);
    }
    goto done;
fail:
    ig__errorf("%s", msg[0] ? msg : ig_strerror(rc));
    exitc = ig__exit_for(rc);
done:
    if (inputs)
        for (int i = 0; i < s.sig.ninputs; i++)
            ig_tensor_release(&inputs[i]);
    free(inputs);
    free(given);
    ig__session_close(&s);
    ig__backend_close(be);
    return exitc;
}
