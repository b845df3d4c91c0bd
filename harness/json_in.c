/* json_in.c — JSON files that must hold an object (see json_in.h).
 *
 * The file is read here and parsed by json_tokener with its terminating
 * NUL, so a bare number ends; anything after the value is refused; the
 * root's type is checked before any caller walks it (a gate spec whose
 * root was an array crashed the walk). */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "infergate/error.h"
#include "json_in.h"

int ig__json_read_object(const char *path, const char *what, json_object **root,
                         char *msg, size_t msglen)
{
    *root = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(msg, msglen, "%s: cannot open %s", path, what);
        return IG_EIO;
    }
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            char *nt = cap < ((size_t)64 << 20) ? realloc(text, cap = cap * 2 + 8192) : NULL;
            if (!nt) {
                free(text);
                fclose(f);
                snprintf(msg, msglen, "%s: too large for %s", path, what);
                return IG_EPARSE;
            }
            text = nt;
        }
        size_t r = fread(text + len, 1, cap - len - 1, f);
        len += r;
        if (r == 0)
            break;
    }
    fclose(f);
    text[len] = 0;
    json_tokener *tok = json_tokener_new();
    if (!tok) {
        free(text);
        snprintf(msg, msglen, "%s: out of memory", path);
        return IG_ENOMEM;
    }
    /* The terminating NUL is passed too, so a bare number ends there. */
    json_object *o = json_tokener_parse_ex(tok, text, (int)len + 1);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t used = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (used > len)
        used = len;
    int blank = strspn(text, " \t\r\n") == len;
    int trailing = jerr == json_tokener_success && strspn(text + used, " \t\r\n") != len - used;
    free(text);
    if (jerr != json_tokener_success || trailing || blank) {
        snprintf(msg, msglen, "%s: not valid JSON: %s", path,
                 blank ? "the file is empty"
                 : trailing ? "text after the JSON value"
                 : jerr == json_tokener_continue ? "unexpected end of file"
                 : json_tokener_error_desc(jerr));
        json_object_put(o);
        return IG_EPARSE;
    }
    if (!json_object_is_type(o, json_type_object)) {
        snprintf(msg, msglen, "%s: the root is %s, expected an object", path,
                 o ? json_type_to_name(json_object_get_type(o)) : "null");
        json_object_put(o);
        return IG_EPARSE;
    }
    *root = o;
    return 0;
}

int ig__json_finite(json_object *v, double *out)
{
    if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
        return 0;
    double d = json_object_get_double(v);
    if (!isfinite(d))
        return 0;
    *out = d;
    return 1;
}
