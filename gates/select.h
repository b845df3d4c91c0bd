/* select.h — backend defaults from gate verdicts (gates/select.c). */
#ifndef IG_GATES_SELECT_H
#define IG_GATES_SELECT_H

#include <json-c/json.h>
#include <stddef.h>

/* Writes rundir/backend-defaults.json and .toml from a run.json object
 * (borrowed) with gate verdicts; verbose prints each chain. */
int ig__select_write(const char *rundir, json_object *root, int verbose, char *msg,
                     size_t msglen);

#endif
