/* report_content.h — fills the document of one run's report (report.md and
 * report.html share it): readiness first, then evidence, environment and
 * how to read it.
 *
 * The one design decision: the order of sections is the order of the
 * questions a reader has the morning after (did it pass, what failed and
 * why, how do I reproduce it, then the detail), not the order of suites. */
#ifndef IG_REPORTS_REPORT_CONTENT_H
#define IG_REPORTS_REPORT_CONTENT_H

#include "compare.h"
#include "figures.h"
#include "plots.h"
#include "document.h"

/* cmp and base (borrowed): the comparison with a baseline run and that
 * run, or NULL, NULL without one. */
void ig__report_doc(ig__doc *d, const ig__rctx *x, const ig__plotset *ps, const ig__cmp *cmp,
                    const ig__rrun *base);

#endif
