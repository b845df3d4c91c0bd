# reports.cmake — reports (plots, Markdown/HTML/JUnit, compare, matrix)
# build into the igharness library, so the infergate binary and the unit
# tests both reach them.  Included from the top CMakeLists.txt after
# igharness exists.
#
# The templates in reports/templates/ (gnuplot scripts, the HTML shell and
# its stylesheet) are embedded into the binary at build time by
# embed.cmake: an installed infergate needs no data directory.
file(GLOB IG_REPORTS_SRC CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.c)
file(GLOB IG_REPORTS_TPL CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/templates/*)
set(IG_REPORTS_TPL_C ${CMAKE_CURRENT_BINARY_DIR}/gen/report_templates.c)
add_custom_command(
  OUTPUT ${IG_REPORTS_TPL_C}
  COMMAND ${CMAKE_COMMAND} -DDIR=${CMAKE_CURRENT_LIST_DIR}/templates
          -DOUT=${IG_REPORTS_TPL_C} -P ${CMAKE_CURRENT_LIST_DIR}/embed.cmake
  DEPENDS ${IG_REPORTS_TPL} ${CMAKE_CURRENT_LIST_DIR}/embed.cmake
  COMMENT "Embedding report templates")
target_sources(igharness PRIVATE ${IG_REPORTS_SRC} ${IG_REPORTS_TPL_C})
