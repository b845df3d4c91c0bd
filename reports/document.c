/* document.c — the report's document model and its two renderers, Markdown
 * and HTML (document.h).
 *
 * The one design decision: the HTML embeds each plot's SVG as a base64
 * data URI in an <img>, not as inline <svg>: gnuplot gives every SVG the
 * same element ids, which would collide inline, and an <img> lets the
 * browser test ask whether each picture actually decoded (naturalWidth). */
#include "document.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { B_H, B_P, B_NOTE, B_CODE, B_LIST, B_TABLE, B_PLOT, B_DETAILS, B_DETAILS_END };

void ig__doc_init(ig__doc *d, const char *plots_dir, const char *plots_rel)
{
    memset(d, 0, sizeof *d);
    snprintf(d->plots_dir, sizeof d->plots_dir, "%s", plots_dir ? plots_dir : "");
    snprintf(d->plots_rel, sizeof d->plots_rel, "%s", plots_rel ? plots_rel : "plots");
}

void ig__doc_free(ig__doc *d)
{
    if (!d)
        return;
    for (int i = 0; i < d->n; i++) {
        ig__dblk *b = &d->b[i];
        free(b->text);
        free(b->id);
        for (int k = 0; k < b->nitems; k++)
            free(b->items[k]);
        free(b->items);
        for (int k = 0; k < b->nrows * b->ncols; k++)
            free(b->cells[k].text);
        free(b->cells);
    }
    free(d->b);
    memset(d, 0, sizeof *d);
}

static ig__dblk *add(ig__doc *d, int kind)
{
    if (d->oom)
        return NULL;
    if (d->n == d->cap) {
        int cap = d->cap ? d->cap * 2 : 64;
        ig__dblk *b = realloc(d->b, (size_t)cap * sizeof *b);
        if (!b) {
            d->oom = 1;
            return NULL;
        }
        d->b = b;
        d->cap = cap;
    }
    ig__dblk *b = &d->b[d->n++];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    return b;
}

static char *vfmt(const char *fmt, va_list ap)
{
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (s)
        vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

static char *dupstr(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

void ig__doc_h(ig__doc *d, int level, const char *id, const char *fmt, ...)
{
    ig__dblk *b = add(d, B_H);
    if (!b)
        return;
    b->level = level;
    b->id = dupstr(id);
    va_list ap;
    va_start(ap, fmt);
    b->text = vfmt(fmt, ap);
    va_end(ap);
}

void ig__doc_p(ig__doc *d, const char *fmt, ...)
{
    ig__dblk *b = add(d, B_P);
    if (!b)
        return;
    va_list ap;
    va_start(ap, fmt);
    b->text = vfmt(fmt, ap);
    va_end(ap);
}

void ig__doc_note(ig__doc *d, const char *fmt, ...)
{
    ig__dblk *b = add(d, B_NOTE);
    if (!b)
        return;
    va_list ap;
    va_start(ap, fmt);
    b->text = vfmt(fmt, ap);
    va_end(ap);
}

void ig__doc_code(ig__doc *d, const char *text)
{
    ig__dblk *b = add(d, B_CODE);
    if (b)
        b->text = dupstr(text);
}

void ig__doc_list(ig__doc *d)
{
    add(d, B_LIST);
}

void ig__doc_item(ig__doc *d, const char *fmt, ...)
{
    if (d->n == 0 || d->b[d->n - 1].kind != B_LIST)
        ig__doc_list(d);
    if (d->oom)
        return;
    ig__dblk *b = &d->b[d->n - 1];
    char **it = realloc(b->items, (size_t)(b->nitems + 1) * sizeof *it);
    if (!it) {
        d->oom = 1;
        return;
    }
    b->items = it;
    va_list ap;
    va_start(ap, fmt);
    it[b->nitems++] = vfmt(fmt, ap);
    va_end(ap);
}

static ig__dcell *grow_cells(ig__doc *d, ig__dblk *b, int need)
{
    if (need > b->cap_cells) {
        int cap = b->cap_cells ? b->cap_cells * 2 : 64;
        while (cap < need)
            cap *= 2;
        ig__dcell *c = realloc(b->cells, (size_t)cap * sizeof *c);
        if (!c) {
            d->oom = 1;
            return NULL;
        }
        memset(c + b->cap_cells, 0, (size_t)(cap - b->cap_cells) * sizeof *c);
        b->cells = c;
        b->cap_cells = cap;
    }
    return b->cells;
}

void ig__doc_table(ig__doc *d, const char *id, int ncols, ...)
{
    ig__dblk *b = add(d, B_TABLE);
    if (!b)
        return;
    b->id = dupstr(id);
    b->ncols = ncols;
    b->nrows = 1;
    if (!grow_cells(d, b, ncols))
        return;
    va_list ap;
    va_start(ap, ncols);
    for (int i = 0; i < ncols; i++)
        b->cells[i].text = dupstr(va_arg(ap, const char *));
    va_end(ap);
}

void ig__doc_table_v(ig__doc *d, const char *id, int ncols, const char *const *headers)
{
    ig__dblk *b = add(d, B_TABLE);
    if (!b)
        return;
    b->id = dupstr(id);
    b->ncols = ncols;
    b->nrows = 1;
    if (!grow_cells(d, b, ncols))
        return;
    for (int i = 0; i < ncols; i++)
        b->cells[i].text = dupstr(headers[i]);
}

void ig__doc_row(ig__doc *d)
{
    if (d->oom || d->n == 0 || d->b[d->n - 1].kind != B_TABLE)
        return;
    ig__dblk *b = &d->b[d->n - 1];
    if (grow_cells(d, b, (b->nrows + 1) * b->ncols))
        b->nrows++;
}

void ig__doc_cell(ig__doc *d, const char *cls, const char *fmt, ...)
{
    if (d->oom || d->n == 0 || d->b[d->n - 1].kind != B_TABLE)
        return;
    ig__dblk *b = &d->b[d->n - 1];
    ig__dcell *row = &b->cells[(b->nrows - 1) * b->ncols];
    for (int i = 0; i < b->ncols; i++)
        if (!row[i].text) {
            va_list ap;
            va_start(ap, fmt);
            row[i].text = vfmt(fmt, ap);
            va_end(ap);
            row[i].cls = cls;
            return;
        }
}

void ig__doc_details(ig__doc *d, const char *fmt, ...)
{
    ig__dblk *b = add(d, B_DETAILS);
    if (!b)
        return;
    va_list ap;
    va_start(ap, fmt);
    b->text = vfmt(fmt, ap);
    va_end(ap);
}

void ig__doc_details_end(ig__doc *d)
{
    add(d, B_DETAILS_END);
}

void ig__doc_plot(ig__doc *d, const ig__plot *p)
{
    ig__dblk *b = add(d, B_PLOT);
    if (b)
        b->plot = *p;
}

const char *ig__verdict_cls(const char *v)
{
    if (!v)
        return NULL;
    if (!strcmp(v, "PASS") || !strcmp(v, "ok") || !strcmp(v, "READY") || !strcmp(v, "improved"))
        return "v-pass";
    if (!strcmp(v, "FAIL") || !strcmp(v, "failed") || !strcmp(v, "NOT READY") ||
        !strcmp(v, "regressed") || !strcmp(v, "error"))
        return "v-fail";
    if (!strcmp(v, "INVALID") || !strcmp(v, "insufficient"))
        return "v-invalid";
    if (!strcmp(v, "SKIP") || !strcmp(v, "skip") || !strcmp(v, "NOT JUDGED"))
        return "v-skip";
    return NULL;
}

/* ---- Markdown ------------------------------------------------------------------ */

void ig__doc_md(const ig__doc *d, ig__sb *o)
{
    for (int i = 0; i < d->n; i++) {
        const ig__dblk *b = &d->b[i];
        switch (b->kind) {
        case B_H:
            for (int k = 0; k < b->level; k++)
                ig__sb_putc(o, '#');
            ig__sb_printf(o, " %s\n\n", b->text ? b->text : "");
            break;
        case B_P:
            ig__sb_printf(o, "%s\n\n", b->text ? b->text : "");
            break;
        case B_NOTE:
            ig__sb_printf(o, "> **Note:** %s\n\n", b->text ? b->text : "");
            break;
        case B_CODE:
            ig__sb_printf(o, "```\n%s\n```\n\n", b->text ? b->text : "");
            break;
        case B_LIST:
            for (int k = 0; k < b->nitems; k++)
                ig__sb_printf(o, "- %s\n", b->items[k] ? b->items[k] : "");
            ig__sb_putc(o, '\n');
            break;
        case B_TABLE:
            for (int r = 0; r < b->nrows; r++) {
                ig__sb_putc(o, '|');
                for (int c = 0; c < b->ncols; c++) {
                    const char *t = b->cells[r * b->ncols + c].text;
                    ig__sb_putc(o, ' ');
                    ig__sb_md(o, t && *t ? t : (r ? "" : " "));
                    ig__sb_puts(o, " |");
                }
                ig__sb_putc(o, '\n');
                if (r == 0) {
                    ig__sb_putc(o, '|');
                    for (int c = 0; c < b->ncols; c++)
                        ig__sb_puts(o, "---|");
                    ig__sb_putc(o, '\n');
                }
            }
            ig__sb_putc(o, '\n');
            break;
        case B_DETAILS:
            ig__sb_printf(o, "*%s:*\n\n", b->text ? b->text : "");
            break;
        case B_DETAILS_END:
            break;
        case B_PLOT:
            if (b->plot.ok)
                ig__sb_printf(o, "![%s](%s/%s.svg)\n\n", b->plot.title, d->plots_rel, b->plot.base);
            else
                ig__sb_printf(o, "*(plot not rendered: %s; see %s/gnuplot.log)*\n\n", b->plot.title,
                              d->plots_rel);
            break;
        }
    }
}

/* ---- HTML ---------------------------------------------------------------------- */

/* Paragraph text: escaped, with `code` and **bold** turned into tags. */
static void inline_html(ig__sb *o, const char *s)
{
    int code = 0, bold = 0;
    const char *p = s ? s : "";
    while (*p) {
        const char *q = p;
        while (*q && *q != '`' && !(*q == '*' && q[1] == '*' && !code))
            q++;
        char *seg = malloc((size_t)(q - p) + 1);
        if (seg) {
            memcpy(seg, p, (size_t)(q - p));
            seg[q - p] = 0;
            ig__sb_html(o, seg);
            free(seg);
        }
        if (!*q)
            break;
        if (*q == '`') {
            ig__sb_puts(o, code ? "</code>" : "<code>");
            code = !code;
            p = q + 1;
        } else {
            ig__sb_puts(o, bold ? "</strong>" : "<strong>");
            bold = !bold;
            p = q + 2;
        }
    }
    if (code)
        ig__sb_puts(o, "</code>");
    if (bold)
        ig__sb_puts(o, "</strong>");
}

static void embed_svg(const ig__doc *d, ig__sb *o, const ig__plot *p)
{
    char path[4500];
    snprintf(path, sizeof path, "%s/%s.svg", d->plots_dir, p->base);
    char *svg = NULL;
    size_t n = 0;
    if (!p->ok || ig__rfile_read(path, &svg, &n) != 0) {
        ig__sb_puts(o, "<p class=\"missing\">Plot not rendered: ");
        ig__sb_html(o, p->title);
        ig__sb_puts(o, " (see plots/gnuplot.log).</p>\n");
        free(svg);
        return;
    }
    ig__sb_puts(o, "<figure><img class=\"plot\" alt=\"");
    ig__sb_html(o, p->title);
    ig__sb_puts(o, "\" src=\"data:image/svg+xml;base64,");
    ig__sb_base64(o, (const unsigned char *)svg, n);
    ig__sb_puts(o, "\"><figcaption>");
    ig__sb_html(o, p->title);
    ig__sb_printf(o, " · <a href=\"%s/%s.png\">PNG</a> · <a href=\"%s/%s.gp\">gnuplot script</a>"
                     "</figcaption></figure>\n",
                  d->plots_rel, p->base, d->plots_rel, p->base);
    free(svg);
}

void ig__doc_html(const ig__doc *d, ig__sb *o, ig__sb *nav)
{
    int in_plots = 0;
    for (int i = 0; i < d->n; i++) {
        const ig__dblk *b = &d->b[i];
        if (b->kind == B_PLOT && !in_plots) {
            ig__sb_puts(o, "<div class=\"plots\">\n");
            in_plots = 1;
        } else if (b->kind != B_PLOT && in_plots) {
            ig__sb_puts(o, "</div>\n");
            in_plots = 0;
        }
        switch (b->kind) {
        case B_H:
            ig__sb_printf(o, "<h%d", b->level);
            if (b->id) {
                ig__sb_puts(o, " id=\"");
                ig__sb_html(o, b->id);
                ig__sb_putc(o, '"');
                if (b->level == 2 && nav) {
                    ig__sb_puts(nav, "<a href=\"#");
                    ig__sb_html(nav, b->id);
                    ig__sb_puts(nav, "\">");
                    ig__sb_html(nav, b->text);
                    ig__sb_puts(nav, "</a>\n");
                }
            }
            ig__sb_putc(o, '>');
            inline_html(o, b->text);
            ig__sb_printf(o, "</h%d>\n", b->level);
            break;
        case B_P:
            ig__sb_puts(o, "<p>");
            inline_html(o, b->text);
            ig__sb_puts(o, "</p>\n");
            break;
        case B_NOTE:
            ig__sb_puts(o, "<p class=\"note\">");
            inline_html(o, b->text);
            ig__sb_puts(o, "</p>\n");
            break;
        case B_CODE:
            ig__sb_puts(o, "<pre><code>");
            ig__sb_html(o, b->text);
            ig__sb_puts(o, "</code></pre>\n");
            break;
        case B_LIST:
            ig__sb_puts(o, "<ul>\n");
            for (int k = 0; k < b->nitems; k++) {
                ig__sb_puts(o, "<li>");
                inline_html(o, b->items[k]);
                ig__sb_puts(o, "</li>\n");
            }
            ig__sb_puts(o, "</ul>\n");
            break;
        case B_TABLE:
            ig__sb_puts(o, "<div class=\"tw\"><table");
            if (b->id) {
                ig__sb_puts(o, " id=\"");
                ig__sb_html(o, b->id);
                ig__sb_putc(o, '"');
            }
            ig__sb_puts(o, ">\n<thead><tr>");
            for (int c = 0; c < b->ncols; c++) {
                ig__sb_puts(o, "<th>");
                ig__sb_html(o, b->cells[c].text);
                ig__sb_puts(o, "</th>");
            }
            ig__sb_puts(o, "</tr></thead>\n<tbody>\n");
            for (int r = 1; r < b->nrows; r++) {
                ig__sb_puts(o, "<tr>");
                for (int c = 0; c < b->ncols; c++) {
                    const ig__dcell *cell = &b->cells[r * b->ncols + c];
                    if (cell->cls)
                        ig__sb_printf(o, "<td class=\"%s\">", cell->cls);
                    else
                        ig__sb_puts(o, "<td>");
                    inline_html(o, cell->text);
                    ig__sb_puts(o, "</td>");
                }
                ig__sb_puts(o, "</tr>\n");
            }
            ig__sb_puts(o, "</tbody></table></div>\n");
            break;
        case B_PLOT:
            embed_svg(d, o, &b->plot);
            break;
        case B_DETAILS:
            ig__sb_puts(o, "<details><summary>");
            inline_html(o, b->text);
            ig__sb_puts(o, "</summary>\n");
            break;
        case B_DETAILS_END:
            ig__sb_puts(o, "</details>\n");
            break;
        }
    }
    if (in_plots)
        ig__sb_puts(o, "</div>\n");
}
