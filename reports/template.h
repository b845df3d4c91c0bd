/* template.h — the report templates embedded at build time (reports/
 * templates/, turned into C by reports/embed.cmake) and their rendering.
 *
 * The one design decision: a template only ever has @KEY@ placeholders
 * filled with text the caller has already escaped for the target language
 * (gnuplot string, HTML); the renderer itself knows no language. */
#ifndef IG_REPORTS_TEMPLATE_H
#define IG_REPORTS_TEMPLATE_H

#include "text_output.h"

/* The text of templates/NAME (static storage), NULL when there is none. */
const char *ig__template(const char *name);

/* Appends tpl to out with every @KEY@ replaced by its value; kv is
 * {"KEY", "value", ..., NULL} (borrowed).  An @WORD@ with no entry is
 * copied unchanged. */
void ig__tpl_render(ig__sb *out, const char *tpl, const char *const *kv);

#endif
