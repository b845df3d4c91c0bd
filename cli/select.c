/* select.c — `infergate select RUNDIR`: the command line of selection;
 * the chains are built from the gate verdicts by gates/select.c. */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>

#include "../gates/select.h"
#include "cli.h"
#include "opts.h"

static void help(FILE *f)
{
    fprintf(f, "usage: infergate select RUNDIR\n"
               "Writes RUNDIR/backend-defaults.json (per model: the ordered chain of\n"
               "backends whose every judged gate passed, best dispatch then lowest p99\n"
               "first, the reference last, with the evidence) and\n"
               "RUNDIR/backend-defaults.toml ([backend] prefer = [...], one global chain)\n"
               "from the gate verdicts in RUNDIR/run.json.  docs/embedding.md describes\n"
               "both formats.\n");
}

int ig__cmd_select(int argc, char **argv)
{
    static const struct option lo[] = {{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int o;
    optind = 1;
    while ((o = ig__getopt(argc, argv, "h", lo, "select")) != -1) {
        if (o == 'h') {
            help(stdout);
            return IG_EXIT_OK;
        }
        return IG_EXIT_USAGE; /* ig__getopt said why */
    }
    if (optind + 1 != argc) {
        ig__errorf("select: expected one RUNDIR");
        return IG_EXIT_USAGE;
    }
    const char *dir = argv[optind];
    char path[4200], msg[1024];
    snprintf(path, sizeof path, "%s/run.json", dir);
    json_object *root = json_object_from_file(path);
    if (!root) {
        ig__errorf("%s: cannot read (missing or not valid JSON)", path);
        return IG_EXIT_USAGE;
    }
    /* The header only once there is something to head: a run without
     * gate verdicts is one error line. */
    json_object *gates;
    if (!json_object_object_get_ex(root, "gates", &gates)) {
        ig__errorf("%s: no gate verdicts (run with --gates first)", path);
        json_object_put(root);
        return IG_EXIT_USAGE;
    }
    printf("backend defaults from %s:\n", path);
    int rc = ig__select_write(dir, root, 1, msg, sizeof msg);
    json_object_put(root);
    if (rc) {
        ig__errorf("%s", msg);
        return ig__exit_for(rc);
    }
    printf("wrote %s/backend-defaults.json and %s/backend-defaults.toml\n", dir, dir);
    return IG_EXIT_OK;
}
