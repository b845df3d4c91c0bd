/* main.c — an application embedding infergate: it reads the backend
 * defaults the lab wrote, opens a model on that chain, and runs a few
 * requests, printing which backend served each.  It uses only
 * <infergate/infergate.h>.
 *
 *   ig-example-app [-d DEFAULTS] [-m NAME] [-n N] MODEL.onnx
 *
 * DEFAULTS (JSON or TOML) defaults to $IG_DEFAULTS, else
 * backend-defaults.json; when that file does not exist the built-in chain
 * "reference" is used.  NAME (the model's entry in the defaults) defaults
 * to the folder holding MODEL.onnx, as in the lab's fixtures.  Inputs come
 * from test_data_set_0/input_K.pb beside the model, else zeros.
 *
 * The one decision: a defaults file that exists but cannot be read is an
 * error, not a silent fall back — only a missing file means "no advice". */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* getopt, access: built outside the tree too */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <infergate/infergate.h>

/* Library messages already name the file at fault; what is the fallback. */
static int die(const char *what, int rc, const char *msg)
{
    if (msg[0])
        fprintf(stderr, "ig-example-app: %s\n", msg);
    else
        fprintf(stderr, "ig-example-app: %s: %s\n", what, ig_strerror(rc));
    return 2;
}

#define USAGE "usage: ig-example-app [-d DEFAULTS] [-m NAME] [-n N] MODEL.onnx\n"

int main(int argc, char **argv)
{
    const char *dpath = getenv("IG_DEFAULTS"), *name = NULL;
    int n = 5, c;
    /* POSIX getopt knows no long options: --help would read as -h -e -l
     * -p, one complaint each.  It is answered before getopt runs, and
     * getopt's own messages are replaced by one line. */
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(USAGE, stdout);
            return 0;
        } else if (!strncmp(argv[i], "--", 2)) {
            fprintf(stderr, "ig-example-app: unknown option '%s' (try --help)\n", argv[i]);
            return 2;
        }
    opterr = 0;
    while ((c = getopt(argc, argv, ":d:m:n:")) != -1) {
        if (c == 'd') {
            dpath = optarg;
        } else if (c == 'm') {
            name = optarg;
        } else if (c == 'n') {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 1000000) {
                fprintf(stderr, "ig-example-app: -n expects 1..1000000, got '%s'\n", optarg);
                return 2;
            }
            n = (int)v;
        } else if (c == ':') {
            fprintf(stderr, "ig-example-app: option '-%c' needs a value\n", optopt);
            return 2;
        } else {
            fprintf(stderr, "ig-example-app: unknown option '-%c' (try --help)\n", optopt);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "ig-example-app: %s (try --help)\n",
                optind == argc ? "expected MODEL.onnx" : "expected one MODEL.onnx");
        return 2;
    }
    const char *model = argv[optind];
    char dir[4096], msg[1024] = "";
    snprintf(dir, sizeof dir, "%s", model);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    else
        snprintf(dir, sizeof dir, ".");
    const char *base = strrchr(dir, '/');
    if (!name)
        name = base ? base + 1 : dir;

    ig_defaults *d = NULL;
    if (!dpath)
        dpath = "backend-defaults.json";
    if (access(dpath, F_OK) == 0) {
        int rc = ig_defaults_load(dpath, &d, msg, sizeof msg);
        if (rc)
            return die(dpath, rc, msg);
        printf("defaults: %s\n", dpath);
    } else {
        printf("defaults: %s absent, using the built-in chain \"reference\"\n", dpath);
    }

    /* The lab says when nothing passed for this model: serving it is then
     * the application's own risk, and it should say so. */
    if (d && ig_defaults_validated(d, name) == 0)
        printf("warning: the lab validated no backend for '%s'; its chain is only the "
               "last resort\n", name);

    ig_session *s = NULL;
    int rc = ig_session_open(d, name, model, NULL, 0, NULL, &s, msg, sizeof msg);
    ig_defaults_destroy(d);
    if (rc)
        return die(model, rc, msg);
    printf("chain for '%s':", name);
    for (int i = 0; i < ig_session_backend_count(s); i++) {
        ig_backend_status st;
        ig_session_backend_status(s, i, &st);
        printf(" %s%s", st.spec, st.state == IG_BACKEND_UNAVAILABLE ? " (unavailable)" : "");
    }
    printf("\n");

    int nin = ig_session_input_count(s), nout = ig_session_output_count(s);
    ig_tensor *in = calloc((size_t)nin + 1, sizeof *in);
    ig_tensor *out = calloc((size_t)nout + 1, sizeof *out);
    for (int i = 0; i < nin && rc == 0; i++) {
        char pb[4200];
        snprintf(pb, sizeof pb, "%s/test_data_set_0/input_%d.pb", dir, i);
        if (access(pb, F_OK) == 0) {
            rc = ig_tensor_read_pb(pb, &in[i], msg, sizeof msg);
        } else {
            ig_session_input(s, i, &in[i], NULL); /* declared shape, zeros */
            rc = ig_tensor_alloc(&in[i]);
        }
    }
    for (int k = 0; k < n && rc == 0; k++) {
        rc = ig_session_run(s, in, nin, out, nout, msg, sizeof msg);
        char shape[128] = "";
        if (rc == 0 && nout > 0)
            ig_tensor_shape_str(&out[0], shape, sizeof shape);
        if (rc == 0)
            printf("request %d: served by %s (output %s)%s%s\n", k + 1,
                   ig_session_last_backend(s), shape, msg[0] ? "; passed over " : "",
                   msg);
    }
    if (rc)
        die(model, rc, msg);
    for (int i = 0; i < nin; i++)
        ig_tensor_release(&in[i]);
    free(in);
    free(out);
    ig_session_close(s);
    return rc ? 2 : 0;
}
