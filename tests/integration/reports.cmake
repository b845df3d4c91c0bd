# reports.cmake — integration tests of `infergate report`, `compare` and
# `matrix` (docs/reports.md), one ctest test per case of reports.sh, each
# in its own process with a time limit.  Included from
# tests/integration/CMakeLists.txt.
#
# A case whose tool is absent (xmllint, Chromium, gnuplot) exits 77 and is
# reported as skipped, never as passed.
set(IG_REPORTS_DATA ${PROJECT_SOURCE_DIR}/tests/data)
set(IG_REPORTS_OUT ${CMAKE_CURRENT_BINARY_DIR}/reports-out)
foreach(c golden-gates golden-killed golden-workloads xmllint browser no-gnuplot relative-dir baseline speed matrix
          compare-aa compare-slow compare-reps after-run)
  add_test(NAME reports.${c}
           COMMAND ${CMAKE_CURRENT_LIST_DIR}/reports.sh ${c} $<TARGET_FILE:infergate>
                   ${IG_REPORTS_DATA} ${IG_REPORTS_OUT}/${c} ${IG_FIXTURES_DIR})
  set_tests_properties(reports.${c} PROPERTIES TIMEOUT 180 SKIP_RETURN_CODE 77
                       LABELS "integration;reports")
endforeach()
# The runs of compare-aa and compare-slow are timed: keep them off the
# machine's other tests.
set_tests_properties(reports.compare-aa reports.compare-slow reports.speed
                     PROPERTIES RUN_SERIAL TRUE)
