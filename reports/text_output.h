/* text_output.h — text building for the report writers: a growable string
 * buffer, escaping for Markdown, HTML and XML, number formatting, file
 * reading and atomic file writing.
 *
 * The one design decision: every writer builds its whole file in memory
 * and writes it with one atomic rename, so a report is either the old one
 * or the new one, never half of each, and a failed write leaves no torn
 * file behind for a CI job to publish. */
#ifndef IG_REPORTS_TEXT_OUTPUT_H
#define IG_REPORTS_TEXT_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

/* A growable NUL-terminated buffer.  Allocation failure sets oom and
 * makes further appends no-ops; writers check it once at the end. */
typedef struct ig__sb {
    char *p;      /* owned; NULL until the first append */
    size_t len, cap;
    int oom;
} ig__sb;

void ig__sb_init(ig__sb *b);
void ig__sb_free(ig__sb *b);                 /* NULL-safe; leaves b empty */
void ig__sb_putn(ig__sb *b, const char *s, size_t n);
void ig__sb_puts(ig__sb *b, const char *s);  /* s borrowed; NULL appends nothing */
void ig__sb_putc(ig__sb *b, char c);
void ig__sb_printf(ig__sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *ig__sb_str(const ig__sb *b);     /* "" when empty; borrowed */

/* Escaped appends.  s borrowed; NULL appends nothing. */
void ig__sb_html(ig__sb *b, const char *s); /* & < > " ' ; invalid UTF-8 → U+FFFD */
void ig__sb_xml(ig__sb *b, const char *s);  /* as html, and control characters
                                               XML 1.0 forbids become '?' */
void ig__sb_md(ig__sb *b, const char *s);   /* one Markdown table cell: | and
                                               backslash escaped, a tag-like '<'
                                               as &lt;, newlines → space */
void ig__sb_base64(ig__sb *b, const unsigned char *p, size_t n);

/* Writes len bytes to path through path.tmp + fsync + rename.  Returns 0
 * or IG_EIO with "path: reason" in msg. */
int ig__rfile_write(const char *path, const char *data, size_t len, char *msg, size_t msglen);
/* The buffer's content, the same way; IG_ENOMEM when b->oom. */
int ig__sb_write(const ig__sb *b, const char *path, char *msg, size_t msglen);
/* Reads a whole file into *data (owned by the caller, NUL-terminated).
 * Returns 0, IG_ENOTFOUND, IG_EIO or IG_ENOMEM. */
int ig__rfile_read(const char *path, char **data, size_t *len);
/* mkdir -p.  Returns 0 or IG_EIO. */
int ig__mkdirs(const char *path);

/* Number formatting into buf (returned).  A NaN or infinity prints as
 * "n/a"; "%.3g" keeps reports short and stable across libms. */
const char *ig__fmt_g(char *buf, size_t n, double v, int digits);
/* A rate (inferences/s, cycles/s): whole numbers from 1000 up, else 4
 * significant digits, never exponent notation. */
const char *ig__fmt_rate(char *buf, size_t n, double v);
/* A latency given in ms, shown in the unit that reads best: ns, µs, ms, s. */
const char *ig__fmt_ms(char *buf, size_t n, double ms);
/* A byte count as B, KiB, MiB or GiB (signed: growth may be negative). */
const char *ig__fmt_bytes(char *buf, size_t n, double bytes);
/* A fraction as a signed percentage with one decimal ("+12.3%"). */
const char *ig__fmt_pct(char *buf, size_t n, double frac);

/* A file-name-safe form of s: [A-Za-z0-9._-] kept, everything else '_'. */
void ig__safe_name(char *out, size_t n, const char *s);

#endif
