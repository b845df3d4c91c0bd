/* text_output.c — string buffer, escaping, number formatting and atomic file
 * writes for the report writers (declarations and rationale in text_output.h).
 *
 * The one design decision: escaping validates UTF-8 as it goes, so a
 * backend name or failure message with stray bytes can never make
 * junit.xml or report.html ill-formed; bad bytes become U+FFFD. */
#include "text_output.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "infergate/error.h"

void ig__sb_init(ig__sb *b)
{
    memset(b, 0, sizeof *b);
}

void ig__sb_free(ig__sb *b)
{
    if (!b)
        return;
    free(b->p);
    memset(b, 0, sizeof *b);
}

static int grow(ig__sb *b, size_t need)
{
    if (b->oom)
        return -1;
    if (b->len + need + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + need + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void ig__sb_putn(ig__sb *b, const char *s, size_t n)
{
    if (!s || grow(b, n))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

void ig__sb_puts(ig__sb *b, const char *s)
{
    if (s)
        ig__sb_putn(b, s, strlen(s));
}

void ig__sb_putc(ig__sb *b, char c)
{
    ig__sb_putn(b, &c, 1);
}

void ig__sb_printf(ig__sb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || grow(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

const char *ig__sb_str(const ig__sb *b)
{
    return b->p ? b->p : "";
}

/* Length of the valid UTF-8 sequence at s (1–4), or 0 when invalid. */
static int utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    int n;
    unsigned min;
    if ((c & 0xE0) == 0xC0) {
        n = 2;
        min = 0x80;
        c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3;
        min = 0x800;
        c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4;
        min = 0x10000;
        c &= 0x07;
    } else {
        return 0;
    }
    for (int i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    return n;
}

static void escape_ml(ig__sb *b, const char *s, int xml)
{
    if (!s)
        return;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        switch (c) {
        case '&': ig__sb_puts(b, "&amp;"); p++; continue;
        case '<': ig__sb_puts(b, "&lt;"); p++; continue;
        case '>': ig__sb_puts(b, "&gt;"); p++; continue;
        case '"': ig__sb_puts(b, "&quot;"); p++; continue;
        case '\'': ig__sb_puts(b, "&#39;"); p++; continue;
        default: break;
        }
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            ig__sb_putc(b, xml ? '?' : ' ');
            p++;
            continue;
        }
        int n = utf8_len(p);
        if (n == 0) {
            ig__sb_puts(b, "\xEF\xBF\xBD");
            p++;
            continue;
        }
        ig__sb_putn(b, (const char *)p, (size_t)n);
        p += n;
    }
}

void ig__sb_html(ig__sb *b, const char *s)
{
    escape_ml(b, s, 0);
}

void ig__sb_xml(ig__sb *b, const char *s)
{
    escape_ml(b, s, 1);
}

void ig__sb_md(ig__sb *b, const char *s)
{
    if (!s)
        return;
    for (const char *p = s; *p; p++) {
        /* '<' before a letter, '/', '!' or '?' could open an HTML tag in a
         * Markdown renderer. */
        if (*p == '<' && ((p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z') ||
                          p[1] == '/' || p[1] == '!' || p[1] == '?')) {
            ig__sb_puts(b, "&lt;");
            continue;
        }
        if (*p == '|' || *p == '\\')
            ig__sb_putc(b, '\\');
        if (*p == '\n' || *p == '\r')
            ig__sb_putc(b, ' ');
        else
            ig__sb_putc(b, *p);
    }
}

void ig__sb_base64(ig__sb *b, const unsigned char *p, size_t n)
{
    static const char tab[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (grow(b, (n + 2) / 3 * 4))
        return;
    char *o = b->p + b->len;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
        *o++ = tab[v >> 18];
        *o++ = tab[(v >> 12) & 63];
        *o++ = tab[(v >> 6) & 63];
        *o++ = tab[v & 63];
    }
    if (i < n) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0);
        *o++ = tab[v >> 18];
        *o++ = tab[(v >> 12) & 63];
        *o++ = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        *o++ = '=';
    }
    b->len = (size_t)(o - b->p);
    b->p[b->len] = 0;
}

int ig__rfile_write(const char *path, const char *data, size_t len, char *msg, size_t msglen)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        snprintf(msg, msglen, "%s: %s", tmp, strerror(errno));
        return IG_EIO;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            snprintf(msg, msglen, "%s: %s", tmp, strerror(errno));
            close(fd);
            unlink(tmp);
            return IG_EIO;
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        snprintf(msg, msglen, "%s: %s", tmp, strerror(errno));
        unlink(tmp);
        return IG_EIO;
    }
    if (rename(tmp, path) != 0) {
        snprintf(msg, msglen, "%s: %s", path, strerror(errno));
        unlink(tmp);
        return IG_EIO;
    }
    return 0;
}

int ig__sb_write(const ig__sb *b, const char *path, char *msg, size_t msglen)
{
    if (b->oom) {
        snprintf(msg, msglen, "%s: out of memory", path);
        return IG_ENOMEM;
    }
    return ig__rfile_write(path, ig__sb_str(b), b->len, msg, msglen);
}

int ig__rfile_read(const char *path, char **data, size_t *len)
{
    *data = NULL;
    if (len)
        *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? IG_ENOTFOUND : IG_EIO;
    size_t cap = 65536, n = 0;
    char *p = malloc(cap);
    if (!p) {
        fclose(f);
        return IG_ENOMEM;
    }
    for (;;) {
        if (n + 1 >= cap) {
            char *q = realloc(p, cap * 2);
            if (!q) {
                free(p);
                fclose(f);
                return IG_ENOMEM;
            }
            p = q;
            cap *= 2;
        }
        size_t r = fread(p + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(p);
        return IG_EIO;
    }
    p[n] = 0;
    *data = p;
    if (len)
        *len = n;
    return 0;
}

int ig__mkdirs(const char *path)
{
    char p[4096];
    snprintf(p, sizeof p, "%s", path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = 0;
        if (mkdir(p, 0755) != 0 && errno != EEXIST)
            return IG_EIO;
        *s = '/';
    }
    if (mkdir(p, 0755) != 0 && errno != EEXIST)
        return IG_EIO;
    return 0;
}

const char *ig__fmt_g(char *buf, size_t n, double v, int digits)
{
    if (!isfinite(v))
        snprintf(buf, n, "n/a");
    else if (v == 0)
        snprintf(buf, n, "0"); /* never "-0" */
    else
        snprintf(buf, n, "%.*g", digits, v);
    return buf;
}

const char *ig__fmt_rate(char *buf, size_t n, double v)
{
    if (!isfinite(v))
        snprintf(buf, n, "n/a");
    else if (fabs(v) >= 1000)
        snprintf(buf, n, "%.0f", v);
    else
        snprintf(buf, n, "%.4g", v);
    return buf;
}

const char *ig__fmt_ms(char *buf, size_t n, double ms)
{
    if (!isfinite(ms))
        snprintf(buf, n, "n/a");
    else if (fabs(ms) < 1e-3)
        snprintf(buf, n, "%.3g ns", ms * 1e6);
    else if (fabs(ms) < 1)
        snprintf(buf, n, "%.3g µs", ms * 1e3);
    else if (fabs(ms) < 1000)
        snprintf(buf, n, "%.3g ms", ms);
    else
        snprintf(buf, n, "%.3g s", ms / 1000);
    return buf;
}

const char *ig__fmt_bytes(char *buf, size_t n, double v)
{
    double a = fabs(v);
    if (!isfinite(v))
        snprintf(buf, n, "n/a");
    else if (a < 1024)
        snprintf(buf, n, "%.0f B", v == 0 ? 0.0 : v);
    else if (a < 1024.0 * 1024)
        snprintf(buf, n, "%.3g KiB", v / 1024);
    else if (a < 1024.0 * 1024 * 1024)
        snprintf(buf, n, "%.3g MiB", v / (1024.0 * 1024));
    else
        snprintf(buf, n, "%.3g GiB", v / (1024.0 * 1024 * 1024));
    return buf;
}

const char *ig__fmt_pct(char *buf, size_t n, double frac)
{
    if (!isfinite(frac))
        snprintf(buf, n, "n/a");
    else if (fabs(frac) < 0.0005)
        snprintf(buf, n, "0.0%%");
    else
        snprintf(buf, n, "%+.1f%%", frac * 100);
    return buf;
}

void ig__safe_name(char *out, size_t n, const char *s)
{
    size_t i = 0;
    for (; s && s[i] && i + 1 < n; i++) {
        char c = s[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        out[i] = ok ? c : '_';
    }
    if (n)
        out[i < n ? i : n - 1] = 0;
}
