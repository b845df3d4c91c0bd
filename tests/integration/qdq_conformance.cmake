# qdq_conformance.cmake — writes the int8-static QDQ form of fixtures
# (ig-qdq-models) and runs `infergate conformance` on them with BACKEND:
# the int8 primitives against the reference's goldens for the same QDQ
# model.  -DIG=binary -DQDQ=ig-qdq-models -DFIXTURES=folder -DOUT=folder
# -DBACKEND=name -DMODELS=a,b (fixture names)
string(REPLACE "," ";" MODELS "${MODELS}")
file(REMOVE_RECURSE "${OUT}")
file(MAKE_DIRECTORY "${OUT}")
foreach(m ${MODELS})
  if(NOT EXISTS "${FIXTURES}/${m}/model.onnx")
    message("SKIP: ${FIXTURES}/${m} does not exist")
    return()
  endif()
  # ig-qdq-models is a one-shot tool that leaves its graph to the exit:
  # in the sanitizer build LeakSanitizer would fail the run for it.
  execute_process(COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0
                          ${QDQ} ${FIXTURES}/${m} ${OUT}/${m}-int8
                  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "ig-qdq-models ${m}: exit ${rc}\n${out}${err}")
  endif()
endforeach()
execute_process(COMMAND ${IG} conformance -b ${BACKEND} ${OUT}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(rc EQUAL 4)
  message("SKIP: ${err}")
  return()
endif()
message("${out}")
string(REGEX MATCH "([0-9]+) passed, ([0-9]+) failed, ([0-9]+) unsupported" summary "${out}")
list(LENGTH MODELS nmodels)
if(NOT rc EQUAL 0 OR NOT CMAKE_MATCH_1 EQUAL nmodels)
  message(FATAL_ERROR "QDQ conformance on ${BACKEND} failed (exit ${rc}): ${summary}\n${err}")
endif()
