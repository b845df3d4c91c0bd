# fixtures.cmake — ctest cases for the built-in fixtures, included from
# tests/integration/CMakeLists.txt (needs the ig-fixtures target and
# IG_FIXTURES_DIR from the top-level CMakeLists.txt).
#
# The checks run as cmake -P scripts so they need nothing beyond CMake
# itself: one regenerates the fixtures twice and compares every byte, the
# other reads the manifest the build produced and checks every file it
# names is there.

add_test(NAME fixtures.reproducible
  COMMAND ${CMAKE_COMMAND}
          -DGENERATOR=$<TARGET_FILE:ig-fixtures>
          -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/fixtures-repro
          -P ${CMAKE_CURRENT_LIST_DIR}/fixtures_repro.cmake)
set_tests_properties(fixtures.reproducible PROPERTIES
  TIMEOUT 300 LABELS "integration;fixtures")

add_test(NAME fixtures.manifest
  COMMAND ${CMAKE_COMMAND}
          -DFIXTURES_DIR=${IG_FIXTURES_DIR}
          -DSOURCE_MANIFEST=${PROJECT_SOURCE_DIR}/fixtures/manifest.json
          -P ${CMAKE_CURRENT_LIST_DIR}/fixtures_manifest.cmake)
set_tests_properties(fixtures.manifest PROPERTIES
  TIMEOUT 60 LABELS "integration;fixtures")
