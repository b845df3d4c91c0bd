/* document.h — a small document model (headings, paragraphs, lists, tables,
 * code, plots) that the report fills once and renders twice: Markdown
 * (report.md) and self-contained HTML (report.html).
 *
 * The one design decision: content is written once, so report.md and
 * report.html cannot drift apart; each renderer only decides how a block
 * looks.  Inline markup is limited to `code` and **bold**, the subset both
 * formats render the same. */
#ifndef IG_REPORTS_DOCUMENT_H
#define IG_REPORTS_DOCUMENT_H

#include "plots.h"
#include "text_output.h"

typedef struct ig__dcell {
    char *text;       /* owned, plain text */
    const char *cls;  /* static CSS class (verdict colour), or NULL */
} ig__dcell;

typedef struct ig__dblk {
    int kind;
    int level;            /* heading level */
    char *text;           /* heading, paragraph, code, note; owned */
    char *id;             /* table or heading anchor; owned, may be NULL */
    char **items;         /* list items; owned */
    int nitems;
    int ncols, nrows;     /* table: nrows includes the header row */
    ig__dcell *cells;     /* owned, row-major */
    int cap_cells;
    ig__plot plot;        /* plot block: a copy */
} ig__dblk;

typedef struct ig__doc {
    ig__dblk *b;
    int n, cap;
    int oom;
    char plots_dir[4096]; /* where the plot files are, for embedding */
    char plots_rel[64];   /* the same, relative to the report ("plots") */
} ig__doc;

void ig__doc_init(ig__doc *d, const char *plots_dir, const char *plots_rel);
void ig__doc_free(ig__doc *d);

void ig__doc_h(ig__doc *d, int level, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void ig__doc_p(ig__doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A paragraph set apart as a caution (HTML: a warning box). */
void ig__doc_note(ig__doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ig__doc_code(ig__doc *d, const char *text);
/* A list: items go to the last list block (one is started if the last
 * block is not a list). */
void ig__doc_list(ig__doc *d);
void ig__doc_item(ig__doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A table with ncols columns; the header cells are the variadic strings. */
void ig__doc_table(ig__doc *d, const char *id, int ncols, ...);
/* The same with the header cells in an array (borrowed). */
void ig__doc_table_v(ig__doc *d, const char *id, int ncols, const char *const *headers);
/* Starts a new row of the last table; cells are then added in order. */
void ig__doc_row(ig__doc *d);
void ig__doc_cell(ig__doc *d, const char *cls, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ig__doc_plot(ig__doc *d, const ig__plot *p);
/* A disclosure: the blocks up to ig__doc_details_end are detail a reader
 * opens on demand (HTML: <details> with the summary shown; Markdown: the
 * summary as an italic lead-in and the blocks as they are). */
void ig__doc_details(ig__doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ig__doc_details_end(ig__doc *d);

/* Renderers.  md: report.md; html: the body of report.html (plots
 * embedded as base64 SVG data URIs) and, into nav, the list of section
 * links. */
void ig__doc_md(const ig__doc *d, ig__sb *out);
void ig__doc_html(const ig__doc *d, ig__sb *out, ig__sb *nav);

/* CSS class for a verdict or status word ("v-pass", "v-fail", …). */
const char *ig__verdict_cls(const char *v);

#endif
