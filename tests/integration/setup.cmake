# setup.cmake — is scripts/setup's package list complete?  (docs/setup.md)
# setup.complete maps everything this build resolved (CMakeCache.txt, the
# compiler's depfiles, the libraries its programs load) and everything in
# setup_uses.txt (the programs the tests call, their data) to its Debian
# package, and fails, naming the package, when scripts/setup neither lists
# it nor pulls it in by a hard Depends.  It reads the finished build, so it
# belongs after `cmake --build`, like every other test here.
# setup.complete.detects proves the audit can fail: the same audit on the
# list without libjson-c-dev must fail and name it.
add_test(NAME setup.complete
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/setup_audit.sh check
                 ${CMAKE_BINARY_DIR} ${PROJECT_SOURCE_DIR})
add_test(NAME setup.complete.detects
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/setup_audit.sh detects libjson-c-dev
                 ${CMAKE_BINARY_DIR} ${PROJECT_SOURCE_DIR})
set_tests_properties(setup.complete setup.complete.detects PROPERTIES
  TIMEOUT 180 SKIP_RETURN_CODE 77 LABELS "integration;setup")
