/* defaults_toml.c — the TOML rendering of the backend defaults, for
 * applications whose configuration is TOML:
 *
 *     [backend]
 *     prefer = ["onednn", "openblas", "reference"]
 *
 * One global chain, no evidence.  The one decision: this is not a TOML
 * parser.  It reads exactly that shape — comments, blank lines, the
 * [backend] table (or the dotted key backend.prefer at the top), and one
 * array of strings that may span lines — and refuses anything else with
 * the file, the line and what it found, rather than guessing at a
 * configuration it does not understand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "defaults.h"
#include "graph/onnx_io.h"

typedef struct {
    const char *p, *end;
    const char *path;
    int line;
    char *msg;
    size_t msglen;
} tk;

static int fail(tk *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(tk *t, const char *fmt, ...)
{
    if (!t->msg || !t->msglen)
        return IG_EPARSE;
    int off = snprintf(t->msg, t->msglen, "%s:%d: ", t->path, t->line);
    if (off < 0 || (size_t)off >= t->msglen)
        return IG_EPARSE;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->msg + off, t->msglen - (size_t)off, fmt, ap);
    va_end(ap);
    return IG_EPARSE;
}

/* What the reader found, for messages: the character, or "end of file". */
static const char *found(tk *t, char buf[16])
{
    if (t->p >= t->end)
        return "end of file";
    unsigned char c = (unsigned char)*t->p;
    if (c == '\n' || c == '\r')
        return "end of line";
    if (c < 0x20 || c >= 0x7f)
        snprintf(buf, 16, "byte 0x%02x", c);
    else
        snprintf(buf, 16, "'%c'", c);
    return buf;
}

static void skip_ws(tk *t)
{
    while (t->p < t->end && (*t->p == ' ' || *t->p == '\t'))
        t->p++;
}

static void skip_comment(tk *t)
{
    if (t->p < t->end && *t->p == '#')
        while (t->p < t->end && *t->p != '\n')
            t->p++;
}

/* Consumes a line end ("\n" or "\r\n"); 0 when there is none here. */
static int eat_newline(tk *t)
{
    if (t->p < t->end && *t->p == '\n') {
        t->p++;
        t->line++;
        return 1;
    }
    if (t->end - t->p >= 2 && t->p[0] == '\r' && t->p[1] == '\n') {
        t->p += 2;
        t->line++;
        return 1;
    }
    return 0;
}

/* Whitespace, comments and line ends, as allowed inside an array. */
static void skip_blank(tk *t)
{
    for (;;) {
        skip_ws(t);
        skip_comment(t);
        if (!eat_newline(t))
            return;
    }
}

/* After a statement: optional whitespace and comment, then a line end. */
static int end_of_line(tk *t, const char *after)
{
    skip_ws(t);
    skip_comment(t);
    if (t->p >= t->end || eat_newline(t))
        return 0;
    char b[16];
    return fail(t, "unexpected %s after %s", found(t, b), after);
}

static int is_bare(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

/* A bare, possibly dotted key ("prefer", "backend.prefer") into key. */
static int parse_key(tk *t, char *key, size_t cap)
{
    size_t n = 0;
    char b[16];
    for (;;) {
        skip_ws(t);
        if (t->p < t->end && (*t->p == '"' || *t->p == '\''))
            return fail(t, "quoted keys are not supported (only [backend] with "
                           "prefer = [...])");
        if (t->p >= t->end || !is_bare(*t->p))
            return fail(t, "expected a key, found %s", found(t, b));
        while (t->p < t->end && is_bare(*t->p)) {
            if (n + 1 >= cap)
                return fail(t, "key too long");
            key[n++] = *t->p++;
        }
        skip_ws(t);
        if (t->p < t->end && *t->p == '.') {
            if (n + 1 >= cap)
                return fail(t, "key too long");
            key[n++] = '.';
            t->p++;
            continue;
        }
        key[n] = 0;
        return 0;
    }
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
         : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                : -1;
}

/* Appends code point cp as UTF-8; 0 when cp is not a scalar value. */
static int put_utf8(char *s, size_t *n, unsigned long cp)
{
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    if (cp < 0x80) {
        s[(*n)++] = (char)cp;
    } else if (cp < 0x800) {
        s[(*n)++] = (char)(0xC0 | (cp >> 6));
        s[(*n)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        s[(*n)++] = (char)(0xE0 | (cp >> 12));
        s[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        s[(*n)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        s[(*n)++] = (char)(0xF0 | (cp >> 18));
        s[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        s[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        s[(*n)++] = (char)(0x80 | (cp & 0x3F));
    }
    return 1;
}

/* A basic ("...", with escapes) or literal ('...') single-line string
 * into s (cap bytes, NUL-terminated). */
static int parse_string(tk *t, char *s, size_t cap)
{
    char q = *t->p;
    if (t->end - t->p >= 3 && t->p[1] == q && t->p[2] == q)
        return fail(t, "multi-line strings are not supported");
    t->p++;
    size_t n = 0;
    for (;;) {
        if (t->p >= t->end || *t->p == '\n' || *t->p == '\r')
            return fail(t, "string not closed on this line");
        unsigned char c = (unsigned char)*t->p++;
        if (c == (unsigned char)q)
            break;
        if (n + 5 >= cap)
            return fail(t, "string longer than %zu bytes", cap - 5);
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return fail(t, "control character 0x%02x in a string", c);
        if (c != '\\' || q == '\'') {
            s[n++] = (char)c;
            continue;
        }
        if (t->p >= t->end)
            return fail(t, "string not closed on this line");
        char e = *t->p++;
        static const char from[] = "btnfr\"\\", to[] = "\b\t\n\f\r\"\\";
        const char *simple = e ? strchr(from, e) : NULL;
        if (simple) {
            s[n++] = to[simple - from];
        } else if (e == 'u' || e == 'U') {
            int digits = e == 'u' ? 4 : 8;
            unsigned long cp = 0;
            for (int i = 0; i < digits; i++) {
                int h = t->p < t->end ? hexval(*t->p) : -1;
                if (h < 0)
                    return fail(t, "\\%c needs %d hex digits", e, digits);
                cp = cp * 16 + (unsigned long)h;
                t->p++;
            }
            if (!put_utf8(s, &n, cp))
                return fail(t, "\\%c%0*lX is not a Unicode scalar value", e, digits, cp);
        } else {
            return fail(t, "unknown escape '\\%c' in a string", e);
        }
    }
    s[n] = 0;
    return 0;
}

/* prefer = [ "spec", ... ] into chain c. */
static int parse_prefer(tk *t, ig__chain *c)
{
    char b[16];
    if (t->p >= t->end || *t->p != '[')
        return fail(t, "prefer must be an array of backend spec strings, found %s",
                    found(t, b));
    t->p++;
    int line0 = t->line;
    for (int i = 0;; i++) {
        skip_blank(t);
        if (t->p < t->end && *t->p == ']') {
            t->p++;
            return 0;
        }
        if (t->p >= t->end) {
            t->line = line0;
            return fail(t, "the prefer array opened here is not closed");
        }
        if (*t->p != '"' && *t->p != '\'')
            return fail(t, "prefer[%d]: expected a backend spec string, found %s", i,
                        found(t, b));
        char spec[IG__SPEC_MAX + 8];
        int rc = parse_string(t, spec, sizeof spec);
        if (rc)
            return rc;
        ig_chain_entry e;
        ig_chain_entry_init(&e);
        e.backend = spec;
        char m[600];
        rc = ig__chain_append(c, &e, m, sizeof m);
        if (rc == IG_ENOMEM)
            return rc;
        if (rc)
            return fail(t, "prefer[%d]: %s", i, m);
        skip_blank(t);
        if (t->p < t->end && *t->p == ',') {
            t->p++;
            continue;
        }
        if (t->p < t->end && *t->p == ']') {
            t->p++;
            return 0;
        }
        if (t->p >= t->end) {
            t->line = line0;
            return fail(t, "the prefer array opened here is not closed");
        }
        return fail(t, "expected ',' or ']' after prefer[%d], found %s", i, found(t, b));
    }
}

int ig__defaults_parse_toml(const char *buf, size_t len, const char *path,
                            ig_defaults **out, char *msg, size_t msglen)
{
    *out = NULL;
    tk t = {buf, buf + len, path, 1, msg, msglen};
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        t.p += 3;
    ig_defaults *d;
    int rc = ig_defaults_create(&d);
    if (rc)
        return rc;
    int in_backend = 0, seen_backend = 0, have_prefer = 0;
    char key[128], b[16];
    while (rc == 0) {
        skip_ws(&t);
        skip_comment(&t);
        if (eat_newline(&t))
            continue;
        if (t.p >= t.end)
            break;
        if (*t.p == '[') {
            if (t.end - t.p >= 2 && t.p[1] == '[') {
                rc = fail(&t, "arrays of tables ([[...]]) are not supported (only "
                              "[backend] with prefer = [...])");
                break;
            }
            t.p++;
            if ((rc = parse_key(&t, key, sizeof key)) != 0)
                break;
            if (t.p >= t.end || *t.p != ']') {
                rc = fail(&t, "expected ']' after [%s, found %s", key, found(&t, b));
                break;
            }
            t.p++;
            if (strcmp(key, "backend") != 0) {
                rc = fail(&t, "table [%s] is not supported (only [backend] with "
                              "prefer = [...])", key);
                break;
            }
            if (seen_backend) {
                rc = fail(&t, "table [backend] is defined twice");
                break;
            }
            seen_backend = in_backend = 1;
            rc = end_of_line(&t, "[backend]");
            continue;
        }
        if ((rc = parse_key(&t, key, sizeof key)) != 0)
            break;
        char full[160];
        snprintf(full, sizeof full, "%s%s", in_backend ? "backend." : "", key);
        if (strcmp(full, "backend.prefer") != 0) {
            rc = fail(&t, "key '%s' is not supported (only [backend] with "
                          "prefer = [...])", full);
            break;
        }
        if (have_prefer) {
            rc = fail(&t, "backend.prefer is defined twice");
            break;
        }
        have_prefer = 1;
        skip_ws(&t);
        if (t.p >= t.end || *t.p != '=') {
            rc = fail(&t, "expected '=' after %s, found %s", key, found(&t, b));
            break;
        }
        t.p++;
        skip_ws(&t);
        ig__chain *c;
        rc = ig__defaults_chain_for(d, NULL, &c);
        if (rc == 0)
            rc = parse_prefer(&t, c);
        if (rc == 0)
            rc = end_of_line(&t, "the prefer array");
    }
    if (rc == 0 && !have_prefer)
        rc = ig__msgf(msg, msglen, IG_EPARSE,
                      "%s: no backend preference found (expected [backend] with "
                      "prefer = [\"backend\", ...])", path);
    if (rc) {
        ig_defaults_destroy(d);
        return rc;
    }
    *out = d;
    return 0;
}

/* ---- writer ------------------------------------------------------------------------ */

typedef struct {
    char *s;
    size_t n, cap;
    int oom;
} sbuf;

static void put(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t nc = (b->cap ? b->cap * 2 : 256) + n;
        char *ns = realloc(b->s, nc);
        if (!ns) {
            b->oom = 1;
            return;
        }
        b->s = ns;
        b->cap = nc;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = 0;
}

static void puts_(sbuf *b, const char *s)
{
    put(b, s, strlen(s));
}

/* A TOML basic string: quotes, backslashes and control characters escaped. */
static void put_quoted(sbuf *b, const char *s)
{
    put(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char e[8];
        if (c == '"' || c == '\\') {
            e[0] = '\\';
            e[1] = (char)c;
            put(b, e, 2);
        } else if (c < 0x20 || c == 0x7f) {
            snprintf(e, sizeof e, "\\u%04X", c);
            put(b, e, 6);
        } else {
            put(b, s, 1);
        }
    }
    put(b, "\"", 1);
}

/* A comment line: anything that would end it (a line break) is replaced. */
static void put_comment_text(sbuf *b, const char *s)
{
    for (; *s; s++)
        put(b, *s == '\n' || *s == '\r' ? " " : s, 1);
}

int ig_defaults_save_toml(const ig_defaults *d, const char *path, char *msg,
                          size_t msglen)
{
    if (!d || !path)
        return ig__msgf(msg, msglen, IG_EINVAL, "defaults or path is NULL");
    const ig__chain *c = ig__defaults_find(d, NULL);
    if (!c)
        return ig__msgf(msg, msglen, IG_ENOTFOUND,
                        "%s: the defaults have no global chain to write as TOML", path);
    sbuf b = {0};
    puts_(&b, "# infergate backend defaults: the fallback chain, best first; the\n"
              "# reference backend is always last.  Written by infergate.\n");
    if (d->run_id || d->created) {
        puts_(&b, "# From run ");
        put_comment_text(&b, d->run_id ? d->run_id : "(unknown)");
        if (d->created) {
            puts_(&b, ", created ");
            put_comment_text(&b, d->created);
        }
        puts_(&b, ".\n");
    }
    puts_(&b, "[backend]\nprefer = [");
    for (int i = 0; i < c->n; i++) {
        if (i)
            puts_(&b, ", ");
        put_quoted(&b, c->e[i].backend);
    }
    if (c->n == 0 || !ig__spec_is_reference(c->e[c->n - 1].backend)) {
        if (c->n)
            puts_(&b, ", ");
        put_quoted(&b, IG__REFERENCE);
    }
    puts_(&b, "]\n");
    int rc = b.oom ? IG_ENOMEM : 0;
    if (rc == 0) {
        char m[1024] = "";
        rc = ig__write_file(path, b.s, b.n, m, sizeof m);
        if (rc)
            ig__msgf(msg, msglen, rc, "%s", m);
    }
    free(b.s);
    return rc;
}
