# fixtures_repro.cmake — runs ig-fixtures twice into fresh directories and
# requires the two trees to hold the same files, byte for byte: every
# fixture (weights, inputs, goldens) must be a pure function of the seed.
#
#   cmake -DGENERATOR=path/to/ig-fixtures -DWORK_DIR=scratch -P fixtures_repro.cmake
#
# Digests are compared rather than files, so a mismatch report can name
# every differing file from one pass over each tree.
cmake_minimum_required(VERSION 3.18)

foreach(var GENERATOR WORK_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "fixtures_repro: -D${var}=... is required")
  endif()
endforeach()

file(REMOVE_RECURSE "${WORK_DIR}")
foreach(run a b)
  execute_process(COMMAND "${GENERATOR}" "${WORK_DIR}/${run}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "fixtures_repro: run ${run} failed (exit ${rc}):\n${out}${err}")
  endif()
endforeach()

file(GLOB_RECURSE files_a RELATIVE "${WORK_DIR}/a" "${WORK_DIR}/a/*")
file(GLOB_RECURSE files_b RELATIVE "${WORK_DIR}/b" "${WORK_DIR}/b/*")
list(SORT files_a)
list(SORT files_b)
if(NOT files_a STREQUAL files_b)
  set(only_a ${files_a})
  list(REMOVE_ITEM only_a ${files_b})
  set(only_b ${files_b})
  list(REMOVE_ITEM only_b ${files_a})
  message(FATAL_ERROR "fixtures_repro: the runs wrote different files; "
                      "only in run a: ${only_a}; only in run b: ${only_b}")
endif()
list(LENGTH files_a n)
if(n LESS 16)
  message(FATAL_ERROR "fixtures_repro: only ${n} files generated: ${files_a}")
endif()

set(differ "")
foreach(f IN LISTS files_a)
  file(SHA256 "${WORK_DIR}/a/${f}" ha)
  file(SHA256 "${WORK_DIR}/b/${f}" hb)
  if(NOT ha STREQUAL hb)
    list(APPEND differ "${f}")
  endif()
endforeach()
if(differ)
  message(FATAL_ERROR "fixtures_repro: files differ between two runs with "
                      "the same seed: ${differ} (trees kept in ${WORK_DIR})")
endif()

file(REMOVE_RECURSE "${WORK_DIR}")
message(STATUS "fixtures_repro: ${n} files identical across two runs")
