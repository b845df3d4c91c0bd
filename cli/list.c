/* list.c — `infergate list`: what the lab can test on this machine.
 * Availability comes from each adapter's own probe, never from a table. */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"
#include "../backends/abi.h"
#include "../backends/graph/ir.h"
#include "cli.h"
#include "../harness/models.h"

/* Default-domain ops first, then by domain and name. */
static int cmp_op(const void *a, const void *b)
{
    const ig__op *x = *(const ig__op *const *)a, *y = *(const ig__op *const *)b;
    int d = strcmp(ig__op_domain(x), ig__op_domain(y));
    return d ? d : strcmp(x->op_type, y->op_type);
}

/* The reference's ops, alphabetically, with their attribute lists. */
static int list_ops(void)
{
    int n = 0;
    while (ig__op_at(n))
        n++;
    const ig__op **ops = malloc(sizeof *ops * (size_t)(n + 1));
    if (!ops) {
        ig__errorf("list: out of memory");
        return IG_EXIT_INTERNAL;
    }
    for (int i = 0; i < n; i++)
        ops[i] = ig__op_at(i);
    qsort(ops, (size_t)n, sizeof *ops, cmp_op);
    printf("ops (%d; the default ONNX domain up to the loader's opset limit, then "
           "com.microsoft, ONNX Runtime's contrib ops):\n", n);
    for (int i = 0; i < n; i++) {
        const char *dom = ig__op_domain(ops[i]);
        char name[96];
        snprintf(name, sizeof name, "%s%s%s", dom, *dom ? "." : "", ops[i]->op_type);
        printf("  %-28s since %d", name, ops[i]->since);
        const char *const *a = ig__op_attrs_in(dom, ops[i]->op_type);
        for (int k = 0; a && a[k]; k++)
            printf("%s%s", k ? ", " : ops[i]->since < 10 ? "   attributes: " : "  attributes: ",
                   a[k]);
        putchar('\n');
    }
    free(ops);
    return IG_EXIT_OK;
}

static void help(FILE *f)
{
    fprintf(f, "usage: infergate list [--fixtures DIR] [--ops]\n"
               "Lists backend adapters (availability, device, library version) and\n"
               "the built-in fixtures of DIR/manifest.json (default: $IG_FIXTURES or\n"
               "the build's fixtures folder).  --ops lists instead the ONNX ops the\n"
               "reference kernels implement (ONNX Runtime's contrib ops as\n"
               "com.microsoft.NAME): the oldest opset of each and the attributes it\n"
               "reads (a node with any other attribute is refused).\n");
}

int ig__cmd_list(int argc, char **argv)
{
    const char *fixtures = ig__fixtures_dir();
    int ops = 0;
    static const struct option lo[] = {{"fixtures", required_argument, 0, 'f'},
                                       {"ops", no_argument, 0, 'o'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = ig__getopt(argc, argv, "f:h", lo, "list")) != -1) {
        switch (c) {
        case 'f': fixtures = optarg; break;
        case 'o': ops = 1; break;
        case 'h': help(stdout); return IG_EXIT_OK;
        default: return IG_EXIT_USAGE; /* ig__getopt said why */
        }
    }
    if (optind < argc) {
        ig__errorf("list: unexpected argument '%s'", argv[optind]);
        return IG_EXIT_USAGE;
    }
    if (ops)
        return list_ops();
    int n;
    const ig_backend *const *b = ig__backends_builtin(&n);
    printf("backends:\n");
    for (int i = 0; i < n; i++) {
        ig__be *be;
        char msg[512];
        int rc = ig__backend_open(b[i]->name, &be, msg, sizeof msg);
        if (rc) {
            printf("  %-10s error       %s\n", b[i]->name, msg);
            continue;
        }
        ig_probe_info info;
        rc = ig__be_probe(be, &info);
        if (rc == 0)
            printf("  %-10s available   %s; %s\n", b[i]->name, info.device, info.version);
        else
            printf("  %-10s unavailable %s\n", b[i]->name,
                   info.reason[0] ? info.reason : ig_strerror(rc));
        ig__backend_close(be);
    }

    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.json", fixtures);
    json_object *root = json_object_from_file(path);
    printf("fixtures (%s):\n", path);
    if (!root) {
        printf("  none (manifest not found or not valid JSON)\n");
        return IG_EXIT_OK;
    }
    json_object *models;
    if (json_object_object_get_ex(root, "models", &models) &&
        json_object_is_type(models, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(models); i++) {
            json_object *m = json_object_array_get_idx(models, i), *v;
            const char *name = json_object_object_get_ex(m, "name", &v) &&
                                       json_object_is_type(v, json_type_string)
                                   ? json_object_get_string(v) : "?";
            const char *task = json_object_object_get_ex(m, "task", &v) &&
                                       json_object_is_type(v, json_type_string)
                                   ? json_object_get_string(v) : "";
            printf("  %-14s %s\n", name, task);
        }
    }
    json_object_put(root);
    return IG_EXIT_OK;
}
