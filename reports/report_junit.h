/* report_junit.h — junit.xml of a run: a testcase per gate check, or per
 * cell when the run has no gates (report_junit.c has the mapping).
 *
 * The one design decision: INVALID (not enough evidence) is a JUnit
 * <error>, never a pass, so CI cannot show missing evidence as green. */
#ifndef IG_REPORTS_REPORT_JUNIT_H
#define IG_REPORTS_REPORT_JUNIT_H

#include "text_output.h"
#include "results_reader.h"

/* Appends the whole junit.xml document for r to o. */
void ig__report_junit(ig__sb *o, const ig__rrun *r);

#endif
