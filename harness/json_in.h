/* json_in.h — reading a JSON file that must hold an object: gate specs,
 * manifests.  One place turns json-c's statuses into a message a user can
 * act on ("the file is empty", "the root is an array, expected an
 * object"), rather than its raw "failed: continue". */
#ifndef IG_HARNESS_JSON_IN_H
#define IG_HARNESS_JSON_IN_H

#include <json-c/json.h>
#include <stddef.h>

/* Reads path (at most 64 MB) and parses it whole: *root is an owned
 * object on success (json_object_put it).  Otherwise returns IG_EIO
 * (cannot open) or IG_EPARSE, with "PATH: problem" in msg; what names
 * the file's role in the open error ("the gate specification"). */
int ig__json_read_object(const char *path, const char *what, json_object **root,
                         char *msg, size_t msglen);

/* A JSON number that is finite (json-c reads Infinity and NaN). */
int ig__json_finite(json_object *v, double *out);

#endif
