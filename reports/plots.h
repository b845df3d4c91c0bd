/* plots.h — the report's plots: data files and gnuplot scripts written
 * under report/plots/, rendered by gnuplot to SVG and PNG.
 *
 * The one design decision: every plot is a standalone script beside its
 * data (`cd report/plots && gnuplot cdf-mlp-intent.gp` redraws it), and
 * the report runs them in a few batched gnuplot processes in parallel; a
 * script that fails costs only its own plot, and a missing gnuplot costs
 * only the pictures, never the tables. */
#ifndef IG_REPORTS_PLOTS_H
#define IG_REPORTS_PLOTS_H

#include "figures.h"
#include "report.h"
#include "text_output.h"

typedef struct ig__plot {
    char kind[16];    /* cdf, hist, soak, rss, speedup, parity, dispatch, heatmap */
    char key[256];    /* the model, the cell id, or "" for run-wide plots */
    char base[300];   /* file name without extension, under the plots folder */
    char title[256];  /* plain text, for captions and alt text */
    int ok;           /* 1: both .svg and .png were written */
} ig__plot;

typedef struct ig__plotset {
    ig__plot *p;      /* owned */
    int n, cap;
    int enabled;      /* 0: plots were skipped (see note) */
    int failed;       /* scripts that ran but produced no picture */
    char note[512];   /* why skipped, or how many failed; "" when all fine */
    char dir[4096];   /* the plots folder */
    char gnuplot[4096];
    int cairo;        /* pngcairo terminal available */
    double seconds;   /* time spent in gnuplot */
} ig__plotset;

/* Prepares the plots folder dir (created) and looks for gnuplot.  When
 * plots are off or gnuplot is absent, ps->enabled is 0 and ps->note says
 * why; that is not an error.  Returns 0 or IG_EIO (msg). */
int ig__plots_open(ig__plotset *ps, const char *dir, const ig__report_opts *o, char *msg,
                   size_t msglen);

/* Registers one plot: writes base.dat (data, may be NULL) and base.gp
 * (the wrapper with both terminals around templates/TPL rendered with kv;
 * the keys TITLE and DATA are added).  Returns 0 or IG_EIO / IG_ENOMEM. */
int ig__plot_add(ig__plotset *ps, const char *kind, const char *key, const char *base,
                 const char *title, int width, int height, const char *tpl,
                 const char *const *kv, const ig__sb *data, char *msg, size_t msglen);

/* Runs every registered script (o->jobs gnuplot processes) and marks the
 * plots whose pictures appeared.  Returns 0 (failures are counted in
 * ps->failed and ps->note, and logged in plots/gnuplot.log). */
int ig__plots_run(ig__plotset *ps, const ig__report_opts *o);

/* Writes the report's plots for a run (data and scripts); ig__plots_run
 * renders them. */
int ig__plots_report(ig__plotset *ps, const ig__rctx *x, const ig__report_opts *o, char *msg,
                     size_t msglen);
/* Adds, per latency cell that cmp found regressed or improved, the base
 * and new distributions overlaid (kind "change", key the cell id); base
 * and cmp borrowed. */
struct ig__cmp;
int ig__plots_baseline(ig__plotset *ps, const ig__rctx *x, const ig__rrun *base,
                       const struct ig__cmp *cmp, char *msg, size_t msglen);

const ig__plot *ig__plots_find(const ig__plotset *ps, const char *kind, const char *key);
void ig__plotset_free(ig__plotset *ps);

/* Appends s as a gnuplot single-quoted string ('' escapes a quote). */
void ig__sb_gpstr(ig__sb *b, const char *s);
/* Appends s as a quoted field of a gnuplot data file ("…"; a '"' inside
 * becomes '\'', since data files have no escape). */
void ig__sb_datstr(ig__sb *b, const char *s);

#endif
